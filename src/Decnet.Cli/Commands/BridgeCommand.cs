using System.CommandLine;
using System.Globalization;
using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;
using Decnet.Cli.Bridge;
using Decnet.Cli.Bus;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet bridge --nats URL --export PATTERN… --import PATTERN… [--prefix TOKENS]</c>: forwards between this host's
/// bus and NATS until SIGINT/SIGTERM, logging its counters periodically (docs/cross-host.md).
/// </summary>
internal static class BridgeCommand
{
    public static Command Create()
    {
        var nats = new Option<string?>("--nats") { Description = "NATS server URL(s), comma-separated (default: DECNET_BUS_NATS_URL, else nats://127.0.0.1:4222)." };
        var export = new Option<string[]>("--export") { Description = "Local pattern whose events go to NATS (repeatable).", AllowMultipleArgumentsPerToken = true };
        var import = new Option<string[]>("--import") { Description = "NATS pattern whose messages are published locally (repeatable).", AllowMultipleArgumentsPerToken = true };
        var prefix = new Option<string?>("--prefix") { Description = "Tokens put in front of every exported topic, e.g. host.a (keeps hosts apart on NATS)." };
        var hopLimit = new Option<int>("--hop-limit") { Description = "Refuse NATS messages that crossed this many bridges.", DefaultValueFactory = _ => BridgeOptions.DefaultHopLimit };
        var queueSize = new Option<int>("--queue-size") { Description = "Queue of each bridge subscription, in events (drop-oldest, counted).", DefaultValueFactory = _ => 16_384 };
        var logInterval = new Option<double>("--log-interval") { Description = "Seconds between counter log lines (0: only at exit).", DefaultValueFactory = _ => 60 };
        var socket = BusClientCommand.CreateSocketOption();
        var command = new Command("bridge", "Forward events between this host's bus and NATS (cross-host).")
        {
            nats, export, import, prefix, hopLimit, queueSize, logInterval, socket,
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
                parseResult.GetValue(socket)),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, BridgeArguments args, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;
        if (args.Describe() is { } usage)
        {
            await error.WriteLineAsync($"bridge: {usage}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var bridgeOptions = new BridgeOptions
        {
            Export = args.Export,
            Import = args.Import,
            Prefix = args.Prefix,
            HopLimit = args.HopLimit,
            QueueSize = args.QueueSize,
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

        using var signals = new TerminationSignals(ct);
        var local = new UnixSocketBus(options);
        var remote = new NatsBus(options);
        await using (local.ConfigureAwait(false))
        await using (remote.ConfigureAwait(false))
        {
            var bridge = new BusBridge(local, remote, bridgeOptions);
            await using (bridge.ConfigureAwait(false))
            {
                try
                {
                    await bridge.StartAsync(signals.Token).ConfigureAwait(false);
                    await error.WriteLineAsync(
                        $"bridge: {bridge.BridgeId} running between {options.SocketPath} ({(local.IsConnected ? "up" : "down, retrying")}) and "
                        + $"{string.Join(',', options.Nats.Urls)} ({(remote.IsConnected ? "up" : "down, retrying")}); "
                        + $"export [{string.Join(' ', args.Export)}] import [{string.Join(' ', args.Import)}]").ConfigureAwait(false);
                    await error.FlushAsync(signals.Token).ConfigureAwait(false);
                    await LogPeriodicallyAsync(bridge, error, args.LogInterval, signals.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
                {
                }

                await error.WriteLineAsync($"bridge: stopped; {bridge.Stats}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
        }
    }

    private static async Task LogPeriodicallyAsync(BusBridge bridge, TextWriter error, double seconds, CancellationToken token)
    {
        if (seconds <= 0)
        {
            await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            await error.WriteLineAsync($"bridge: {bridge.Stats}").ConfigureAwait(false);
            await error.FlushAsync(token).ConfigureAwait(false);
        }
    }

    private sealed record BridgeArguments(string? Nats, string[] Export, string[] Import, string Prefix, int HopLimit, int QueueSize, double LogInterval, string? Socket)
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

            return LogInterval is < 0 or double.NaN or double.PositiveInfinity
                ? "--log-interval must be a number of seconds, 0 or more"
                : null;
        }
    }
}
