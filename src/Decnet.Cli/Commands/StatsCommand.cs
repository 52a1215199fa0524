using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Decnet.Bus;
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
            BrokerStats stats;
            try
            {
                stats = await bus.GetBrokerStatsAsync(token).ConfigureAwait(false);
            }
            catch (BusUnavailableException ex)
            {
                // A broker that handshakes and then does not answer (hung, or gone meanwhile) is unavailable, as for
                // pub's unconfirmed publish: EX_UNAVAILABLE so a script retries, not an internal error.
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(NoReply(ex, options.SocketPath)).ConfigureAwait(false);
                return ExitCodes.Unavailable;
            }

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

    /// <summary>The one line for a STATS request that got no reply.</summary>
    private static string NoReply(BusUnavailableException ex, string socketPath) => UntrustedText.Escape(ex.InnerException switch
    {
        TimeoutException => string.Create(
            CultureInfo.InvariantCulture,
            $"stats: the broker at {socketPath} did not answer STATS within {UnixSocketBus.StatsTimeout.TotalSeconds:0} s"),
        IOException io => $"stats: the connection to the broker at {socketPath} was lost before the STATS reply: {io.Message}",
        _ => ex.Message,
    });
}
