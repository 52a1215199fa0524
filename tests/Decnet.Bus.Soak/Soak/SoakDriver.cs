using System.Diagnostics;
using System.Globalization;
using Decnet.Bus.Soak.Accounting;
using Decnet.Bus.Soak.Load;

namespace Decnet.Bus.Soak.Soak;

/// <summary>
/// Load and a broker kill loop at the same time: <c>decnet bus</c> runs as a child process while the
/// <see cref="LoadHarness"/> clients publish and subscribe; each round kills it with SIGKILL
/// <see cref="SoakOptions.KillsPerRound"/> times (restarting it each time), then balances the round's last broker
/// lifetime exactly and stops it with SIGTERM. Clients back 2 s or more after a restart are listed apart
/// (<see cref="SoakResult.SlowRecoveries"/>): the soak's entry point fails on them, the CI round prints them.
/// </summary>
public sealed class SoakDriver(SoakOptions options, TextWriter output)
{
    private readonly List<string> _failures = [];
    private readonly List<string> _slow = [];
    private TimeSpan _slowestRestart;
    private int _epoch;
    private int _restarts;
    private int _kills;
    private int _stops;
    private long _exact;
    private EpochAccount? _lastBalance;

    /// <summary>Runs rounds until <see cref="SoakOptions.Duration"/> has passed (at least one; the last is finished).</summary>
    public async Task<SoakResult> RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("dnsoak").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        var clock = Stopwatch.StartNew();
        var fds = new List<int>();
        var rounds = 0;
        BrokerProcess? broker = null;
        try
        {
            broker = await BrokerProcess.StartAsync(socketPath);
            var readyAt = Stopwatch.GetTimestamp();
            await using var harness = await LoadHarness.StartAsync(socketPath, options.Load);
            output.WriteLine(Invariant($"soak: {options.Duration.TotalSeconds:0} s; {options.Load.Publishers} publishers at {Rate(options.Load)} + {options.Load.Subscribers} subscribers (UnixSocketBus, one connection each); {options.KillsPerRound} SIGKILLs then 1 graceful stop per round, {options.EpochLength.TotalSeconds:0} s per broker lifetime"));
            do
            {
                rounds++;
                var round = new List<EpochAccount>();
                var slowest = TimeSpan.Zero;
                for (var k = 0; k <= options.KillsPerRound; k++)
                {
                    var flowing = await harness.AwaitFlowingAsync(readyAt, _restarts);
                    Fail(flowing.Problems);
                    _slow.AddRange(flowing.SlowRecoveries.Take(20));
                    if (_restarts > 0)
                    {
                        // The very first connection includes starting the clients; only restarts are timed.
                        slowest = Max(slowest, Max(flowing.SlowestPublisher, flowing.SlowestSubscriber));
                        _slowestRestart = Max(_slowestRestart, slowest);
                    }

                    var last = k == options.KillsPerRound;
                    if (k == 0)
                    {
                        fds.Add(Directory.GetFiles("/proc/self/fd").Length);
                    }

                    if (last)
                    {
                        // Every subscription is live again: the exact window starts here.
                        await harness.MarkAsync();
                    }

                    // The lifetime's load: the publish calls an epoch's length stands for at the configured rate.
                    await harness.AwaitLoadAsync(options.EpochLength);
                    var live = broker ?? throw new InvalidOperationException("no broker running");
                    broker = null;
                    var account = last ? await EndGracefullyAsync(harness, live) : await EndByKillAsync(harness, live);
                    round.Add(account);
                    if (last && clock.Elapsed >= options.Duration)
                    {
                        break;
                    }

                    harness.BeginEpoch();
                    harness.Resume();
                    broker = await BrokerProcess.StartAsync(socketPath);
                    readyAt = Stopwatch.GetTimestamp();
                    _restarts++;
                }

                Fail(harness.ClientProblems());
                PrintRound(rounds, clock.Elapsed, round, slowest);
            }
            while (clock.Elapsed < options.Duration);

            output.WriteLine(Invariant($"client process (all {options.Load.Publishers + options.Load.Subscribers} clients connected, start of each round): file descriptors first {fds[0]}, last {fds[^1]}, max {fds.Max()}; at the end managed heap {GC.GetTotalMemory(false) >> 20} MiB, threads {Process.GetCurrentProcess().Threads.Count}"));
        }
#pragma warning disable CA1031 // Any failure of the run is reported as a failed soak with its reason, not a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Add($"soak aborted: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }

        return new SoakResult(rounds, _kills, _stops, _exact, _lastBalance, _failures, _slowestRestart, _slow);
    }

    private static string Rate(LoadOptions load) => load.RatePerPublisher == 0 ? "flat out" : Invariant($"{load.RatePerPublisher}/s each");

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private async Task<EpochAccount> EndByKillAsync(LoadHarness harness, BrokerProcess broker)
    {
        try
        {
            await harness.SnapshotBeforeKillAsync();
        }
        finally
        {
            await broker.KillAsync();
        }

        await broker.DisposeAsync();
        _kills++;
        await harness.QuietAsync();
        var account = harness.CloseKilledEpoch(++_epoch);
        Fail(account.Violations());
        return account;
    }

    private async Task<EpochAccount> EndGracefullyAsync(LoadHarness harness, BrokerProcess broker)
    {
        EpochAccount account;
        try
        {
            account = await harness.BalanceAsync(++_epoch);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        Fail(account.Violations());
        var exit = await broker.TerminateAsync();
        await broker.DisposeAsync();
        if (exit != 0)
        {
            _failures.Add($"epoch {account.Epoch}: decnet bus exited with {exit} on SIGTERM");
        }

        await harness.QuietAsync();
        Fail(harness.ChangedSince(account));
        _stops++;
        _exact += account.Matching;
        _lastBalance = account;
        return account;
    }

    private void Fail(IReadOnlyList<string> problems)
    {
        foreach (var problem in problems.Take(20))
        {
            _failures.Add(problem);
        }
    }

    private void PrintRound(int round, TimeSpan elapsed, List<EpochAccount> epochs, TimeSpan slowest)
    {
        var killed = epochs.Where(e => e.End == EpochEnd.Killed).ToList();
        output.WriteLine(Invariant($"round {round} ({elapsed.TotalSeconds:0} s): slowest reconnect + re-subscribe + first event {slowest.TotalMilliseconds:0} ms; failures so far {_failures.Count}{(_slow.Count > 0 ? $"; clients over 2 s so far {_slow.Count}" : "")}"));
        if (killed.Count > 0)
        {
            output.WriteLine(Invariant($"  {killed.Count} SIGKILL epochs: {killed.Sum(e => e.PublishCalls)} published, matching {killed.Sum(e => e.Matching)}: delivered {killed.Sum(e => e.Consumed)} + dropped client {killed.Sum(e => e.ClientDropped)} / broker by the last STATS {killed.Sum(e => e.BrokerDropped)}, unaccounted {killed.Sum(e => e.Unaccounted)}; received + broker-dropped <= matching in every subscription: {killed.All(e => e.Violations().Count == 0)}"));
        }

        foreach (var graceful in epochs.Where(e => e.End == EpochEnd.Graceful))
        {
            output.WriteLine("  " + AccountingTable.Summary(graceful));
        }
    }
}
