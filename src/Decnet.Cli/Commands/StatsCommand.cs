using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;

namespace Decnet.Cli.Commands;

/// <summary><c>decnet stats</c>: broker counters and one row per connection, fetched over the bus socket.</summary>
internal static class StatsCommand
{
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the statistics as one JSON document." };
        var socket = BusClientCommand.CreateSocketOption();
        var command = new Command("stats", "Show broker counters and per-connection rows (name, pid, uid, subscriptions, queued, dropped).") { json, socket };
        command.SetAction((parseResult, ct) => NatsClientCommand.RunAsync(parseResult, "stats", parseResult.GetValue(socket), async (client, options, token) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            if (client is NatsBus nats)
            {
                var natsStats = nats.GetStats();
                await output.WriteLineAsync(parseResult.GetValue(json) ? JsonSerializer.Serialize(natsStats, _json) : NatsStatsText.Format(natsStats)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var bus = (UnixSocketBus)client;
            var stats = await bus.GetBrokerStatsAsync(token).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(stats, _json)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await output.WriteLineAsync(StatsTable.Format(stats, options.SocketPath)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
