using System.Diagnostics;
using Decnet.Bus.Soak.Accounting;
using Decnet.Bus.Soak.Load;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Load;

public sealed class ClientAccountingTests(ITestOutputHelper output)
{
    /// <summary>
    /// 200 real <see cref="UnixSocketBus"/> clients (100 publishers, one topic each; 100 subscribers with overlapping
    /// wildcards, one subscription each, broker queues of 16 to 256 events, every tenth one not reading during the
    /// load) against <c>decnet bus</c> in its own process, for the publish calls <c>DECNET_LOAD_SECONDS</c> (default 6)
    /// stands for at the configured rate (<see cref="LoadHarness.AwaitLoadAsync"/>). Then a STATS
    /// barrier and a drain, and for every subscription: delivered + dropped (client and broker) == matching events
    /// the broker accepted, the broker queued exactly those, and every publisher's events arrived in order with no
    /// duplicate. Counts come from the clients and from the broker's per-connection STATS rows.
    /// </summary>
    [Fact]
    public async Task EverySubscription_DeliveredPlusDropped_EqualsMatchingPublished_WithUnixSocketBusClients()
    {
        var seconds = LoadOptions.Read("DECNET_LOAD_SECONDS", 6, 1);
        var options = LoadOptions.FromEnvironment();
        var directory = Directory.CreateTempSubdirectory("dnh").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        var broker = await BrokerProcess.StartAsync(socketPath);
        try
        {
            var readyAt = Stopwatch.GetTimestamp();
            await using var harness = await LoadHarness.StartAsync(socketPath, options);
            await harness.AwaitFlowingAsync(readyAt, restarts: 0);
            await harness.MarkAsync();

            // The load: the publish calls DECNET_LOAD_SECONDS stands for at the configured rate.
            var clock = Stopwatch.StartNew();
            await harness.AwaitLoadAsync(TimeSpan.FromSeconds(seconds));
            var account = await harness.BalanceAsync(1);
            var elapsed = clock.Elapsed;

            output.WriteLine($"{options.Publishers} publishers at {options.RatePerPublisher}/s each (0 = flat out), {options.Subscribers} subscribers, {elapsed.TotalSeconds:0.0} s of load + barrier + drain");
            output.WriteLine(AccountingTable.Summary(account));
            foreach (var line in AccountingTable.Rows(account))
            {
                output.WriteLine(line);
            }

            Assert.Empty(account.Violations());
            Assert.Empty(harness.ClientProblems());
            Assert.All(account.Rows, r => Assert.True(r.IsExact, r.ToString()));
            Assert.True(account.ClientDropped > 0, "no client queue overflowed; the laggards did not exercise client drops");
            Assert.True(account.Consumed > 0);
            Assert.True(account.BrokerPublished > 0);

            // Graceful stop: exit 0, and nothing arrives after the balance (it was final).
            Assert.Equal(0, await broker.TerminateAsync());
            await harness.QuietAsync();
            Assert.Empty(harness.ChangedSince(account));
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
