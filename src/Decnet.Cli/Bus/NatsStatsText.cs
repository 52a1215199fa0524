using System.Globalization;
using System.Text;
using Decnet.Bus;
using Decnet.Bus.Nats;

namespace Decnet.Cli.Bus;

/// <summary>
/// What <c>decnet stats</c> prints with <c>DECNET_BUS_TYPE=nats</c>: NATS has no broker-side rows for DECNET, so it shows
/// what this client's NATS connection knows (server, state, limits, counters).
/// </summary>
internal static class NatsStatsText
{
    public static string Format(NatsBusStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"nats {stats.State} at {UntrustedText.Escape(stats.Url)}");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"server {UntrustedText.Escape(stats.Server ?? "(none)")}  max_payload {stats.MaxPayload}");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"published {stats.Counters.Published}  delivered {stats.Counters.Delivered}  dropped {stats.Counters.Dropped}  subscriptions {stats.Subscriptions}");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"reconnects {stats.Reconnects}  disconnects {stats.Disconnects}  rejected {stats.Rejected}  slow_consumer {stats.SlowConsumer}  server_errors {stats.ServerErrors}  publish_waits {stats.PublishWaits}");
        return text.ToString();
    }
}
