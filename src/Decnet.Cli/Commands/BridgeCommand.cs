using System.CommandLine;
using System.Globalization;
using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;
using Decnet.Cli.Bridge;
using Decnet.Cli.Bus;
using Decnet.Cli.Mutation;
using Decnet.Cli.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet bridge --nats URL --export PATTERN… --import PATTERN… [--prefix TOKENS] [--no-source]</c>: forwards
/// between this host's bus and NATS until SIGINT/SIGTERM, logging its counters periodically (docs/cross-host.md).
/// </summary>
internal static class BridgeCommand
{
    /// <summary>
    /// Longest --log-interval, in seconds (one day): a longer one is a typo, and 0 already means "only at exit".
    /// </summary>
    public const int MaxLogIntervalSeconds = 86_400;

    /// <summary>
    /// Shortest non-zero --log-interval, in seconds: <see cref="PeriodicTimer"/> ticks no faster than 1 ms.
    /// </summary>
    public const double MinLogIntervalSeconds = 0.001;

    public static Command Create()
    {
        var nats = new Option<string?>("--nats") { Description = "NATS server URL(s), comma-separated (default: DECNET_BUS_NATS_URL, else nats://127.0.0.1:4222)." };
        var export = new Option<string[]>("--export") { Description = "Local pattern whose events go to NATS (repeatable).", AllowMultipleArgumentsPerToken = true };
        var import = new Option<string[]>("--import") { Description = "NATS pattern whose messages are published locally (repeatable).", AllowMultipleArgumentsPerToken = true };
        var prefix = new Option<string?>("--prefix") { Description = "Tokens put in front of every exported topic, e.g. host.a (keeps hosts apart on NATS)." };
        var hopLimit = new Option<int>("--hop-limit") { Description = "Refuse NATS messages that crossed this many bridges.", DefaultValueFactory = _ => BridgeOptions.DefaultHopLimit };
        var queueSize = new Option<int>("--queue-size") { Description = "Queue of each bridge subscription, in events (drop-oldest, counted).", DefaultValueFactory = _ => 16_384 };
        var logInterval = new Option<double>("--log-interval") { Description = "Seconds between counter log lines (0: only at exit).", DefaultValueFactory = _ => 60 };
        var noSource = new Option<bool>("--no-source") { Description = "Do not send the local publisher's pid, uid and gid (Decnet-Bridge-Source) with exported events." };
        var socket = BusClientCommand.CreateSocketOption();
        var command = new Command("bridge", "Forward events between this host's bus and NATS (cross-host).")
        {
            nats, export, import, prefix, hopLimit, queueSize, logInterval, noSource, socket,
        };
        command.SetAction((parseResult, ct) => RunAsync(
            parseResult,
            new BridgeArguments(
                parseResult.GetValue(nats),
                parseResult.GetValue(export) ?? [],
                parseResult.GetValue(import) ?? [],
                parseResult.GetValue(prefix) ?? string.Empty,
                parseResult.GetValue(hopLimit),
                parseResult.GetValue(queueSize),
                parseResult.GetValue(logInterval),
                parseResult.GetValue(noSource),
                parseResult.GetValue(socket)),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, BridgeArguments args, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;
        if (args.Describe() is { } usage)
        {
            // Checked before anything connects: one "error:" line and exit 2, as for every command.
            throw new CliUsageException(usage);
        }

        // Before the DECNET_BUS_* options, whose errors name the variables and exit 78.
        CliFlagValues.CheckSocket(args.Socket);
        CliFlagValues.CheckNats(args.Nats);

        var bridgeOptions = new BridgeOptions
        {
            Export = args.Export,
            Import = args.Import,
            Prefix = args.Prefix,
            HopLimit = args.HopLimit,
            QueueSize = args.QueueSize,
            SendSource = !args.NoSource,
        };
        var name = $"decnet-bridge {bridgeOptions.BridgeId}";
        DecnetBusOptions options;
        try
        {
            options = CliBusOptions.Load(args.Socket, clientName: name, configure: o =>
            {
                o.Echo = false;
                if (args.Nats is not null)
                {
                    o.Nats.Url = args.Nats;
                }
            });
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"bridge: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        // The host's validation checks the NATS files only when DECNET_BUS_TYPE=nats; the bridge always uses NATS.
        if (DecnetBusNatsValidation.DescribeMissingFiles(options.Nats) is { } missing)
        {
            await error.WriteLineAsync($"bridge: {missing}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        using var signals = new TerminationSignals(ct);
        using var logging = BridgeLogging.Create();
        var (local, remote, bridge) = await CreateBridgeAsync(options, bridgeOptions, logging).ConfigureAwait(false);
        await using (bridge.ConfigureAwait(false))
        {
            try
            {
                // A pattern the broker refuses (DECNET_BUS_MAX_PATTERN_TOKENS) is bad input: exit 2, not 70.
                await CallerInput.CheckAsync(() => new ValueTask(bridge.StartAsync(signals.Token))).ConfigureAwait(false);

                // Both sides tried before the line: each client connects only once something is sent or subscribed
                // there, so an export-only bridge's NATS (or an import-only one's socket) would read "down" while up,
                // and a socket without a broker would look like a healthy idle one (docs/cross-host.md).
                var (localUp, remoteUp) = await ConnectBothAsync(local, remote, signals.Token).ConfigureAwait(false);
                await error.WriteLineAsync(
                    $"bridge: {bridge.BridgeId} running between {UntrustedText.Escape(local.SocketPath)} ({State(localUp)}) and "
                    + $"{UntrustedText.Escape(string.Join(',', options.Nats.Urls))} ({State(remoteUp)}); "
                    + $"export [{string.Join(' ', args.Export)}] import [{string.Join(' ', args.Import)}]").ConfigureAwait(false);
                await error.FlushAsync(signals.Token).ConfigureAwait(false);
                await LogPeriodicallyAsync(bridge, error, args.LogInterval, signals.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
            {
            }
        }

        // Written once the bridge and both clients are closed, so it counts what the stop itself lost.
        var (exports, imports) = bridge.Abandoned;
        await error.WriteLineAsync(
            $"bridge: stopped; {bridge.Stats}; abandoned at stop: exports {exports} imports {imports}; "
            + $"unflushed to NATS {bridge.UnflushedExports} (in the dropped counts)").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Creates both clients and the bridge that owns them (it disposes them after its own subscriptions and pumps).
    /// When a constructor throws, the clients already created are disposed before the exception goes on, as the
    /// bridge would have disposed them: nothing created here is left to the process's exit.
    /// </summary>
    private static async Task<(UnixSocketBus Local, NatsBus Remote, BusBridge Bridge)> CreateBridgeAsync(
        DecnetBusOptions options, BridgeOptions bridgeOptions, ILoggerFactory logging)
    {
        var local = new UnixSocketBus(options, logging.CreateLogger<UnixSocketBus>());
        NatsBus? remote = null;
        try
        {
            remote = new NatsBus(options, logging);
            return (local, remote, new BusBridge(local, remote, bridgeOptions, logging.CreateLogger<BusBridge>()));
        }
        catch
        {
            try
            {
                if (remote is not null)
                {
                    await remote.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await local.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The first connect of each side, at the same time, each bounded (the handshake timeout; NATS's, its first
    /// attempt's end or <see cref="NatsClientCommand.ConnectBound"/>); whether each is up afterwards.
    /// </summary>
    private static async Task<(bool Local, bool Remote)> ConnectBothAsync(UnixSocketBus local, NatsBus remote, CancellationToken token)
    {
        var localUp = local.TryConnectAsync(token);
        var remoteUp = remote.WaitForFirstAttemptAsync(NatsClientCommand.ConnectBound, token);
        return (await localUp.ConfigureAwait(false), await remoteUp.ConfigureAwait(false));
    }

    private static string State(bool up) => up ? "up" : "down, retrying";

    private static async Task LogPeriodicallyAsync(BusBridge bridge, TextWriter error, double seconds, CancellationToken token)
    {
        if (seconds <= 0)
        {
            await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            return;
        }

        // In range: Describe accepts MinLogIntervalSeconds to MaxLogIntervalSeconds only.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            await error.WriteLineAsync($"bridge: {bridge.Stats}").ConfigureAwait(false);
            await error.FlushAsync(token).ConfigureAwait(false);
        }
    }

    private sealed record BridgeArguments(string? Nats, string[] Export, string[] Import, string Prefix, int HopLimit, int QueueSize, double LogInterval, bool NoSource, string? Socket)
    {
        /// <summary>Why the arguments cannot run, in one line, or null.</summary>
        public string? Describe()
        {
            if (Export.Length == 0 && Import.Length == 0)
            {
                return "give at least one --export or --import pattern";
            }

            foreach (var pattern in Export.Concat(Import))
            {
                if (!Topics.IsValidPattern(pattern))
                {
                    return $"invalid pattern \"{UntrustedText.Escape(pattern)}\"";
                }
            }

            if (Prefix.Length > 0 && !Topics.IsValidTopic(Prefix))
            {
                return $"--prefix \"{UntrustedText.Escape(Prefix)}\" is not a valid topic prefix; use tokens such as host.a";
            }

            if (HopLimit < 1)
            {
                return "--hop-limit must be 1 or more";
            }

            if (QueueSize < 1)
            {
                return "--queue-size must be 1 or more";
            }

            // PeriodicTimer throws after the bridge has started for less than 1 ms or more than about 49.7 days.
            return LogInterval == 0 || LogInterval is >= MinLogIntervalSeconds and <= MaxLogIntervalSeconds
                ? null
                : $"--log-interval must be 0 (log only at exit) or from {MinLogIntervalSeconds.ToString(CultureInfo.InvariantCulture)} to {MaxLogIntervalSeconds} seconds, not {LogInterval.ToString(CultureInfo.InvariantCulture)}";
        }
    }
}
