using System.Globalization;
using System.Text;
using Decnet.Bus;
using Decnet.Bus.Unix;

namespace Decnet.Cli.Bus;

/// <summary>Renders <see cref="BrokerStats"/> as the aligned text <c>decnet stats</c> prints.</summary>
internal static class StatsTable
{
    private static readonly string[] _headers = ["NAME", "PROTO", "PID", "UID", "SUBS", "QUEUED", "DELIVERED", "DROPPED", "PUBLISHED"];

    /// <summary>Formats the totals line and one aligned row per connection; strings from the broker are escaped.</summary>
    public static string Format(BrokerStats stats, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"broker pid {stats.BrokerPid} at {UntrustedText.Escape(socketPath)}, up {TimeSpan.FromSeconds(Math.Floor(stats.UptimeSeconds))}");
        text.AppendLine();
        var heartbeats = stats.Heartbeats > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({stats.Heartbeats} of them the broker's heartbeats on system.bus.health)") : string.Empty;
        text.Append(CultureInfo.InvariantCulture, $"published {stats.Published}{heartbeats}  delivered {stats.Delivered}  dropped {stats.Dropped}  connections {stats.Connections.Count}");
        text.AppendLine();

        // The broker counts its own heartbeats like any publish (docs/wire-protocol.md §7.5): say so, so nobody reads
        // a quiet bus's growing totals as traffic from a client.
        text.Append("(totals, and DELIVERED and DROPPED below, include the broker's heartbeats on system.bus.health)");
        text.AppendLine();
        if (stats.Rejections.Count > 0)
        {
            text.Append("rejected ");
            text.AppendJoin("  ", stats.Rejections.OrderBy(static r => r.Key, StringComparer.Ordinal).Select(static r => $"{UntrustedText.Escape(r.Key)} {Invariant(r.Value)}"));
            text.AppendLine();
        }
        text.AppendLine();

        var rows = new List<string[]> { _headers };
        rows.AddRange(stats.Connections.Select(c => new[]
        {
            // A client chooses its own name (HELLO): escaped so CR, ESC or bidi controls cannot forge a row.
            UntrustedText.Escape(c.Name),

            // Which wire the client speaks: msgpack, or python (the Python bus's text protocol, docs/text-protocol.md).
            UntrustedText.Escape(c.Protocol),
            Invariant(c.Pid),
            Invariant(c.Uid),
            Invariant(c.Subscriptions),
            Invariant(c.Queued),
            Invariant(c.Delivered),
            Invariant(c.Dropped),
            Invariant(c.Published),
        }));

        var widths = Enumerable.Range(0, _headers.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                // Name and protocol left-aligned, numbers right-aligned, as ps(1) does.
                text.Append(i <= 1 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                text.Append(i == row.Length - 1 ? string.Empty : "  ");
            }

            text.AppendLine();
        }

        return text.ToString().TrimEnd();
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
