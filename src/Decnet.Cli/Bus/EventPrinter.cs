using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Decnet.Bus;

namespace Decnet.Cli.Bus;

/// <summary>
/// Formats received events for <c>decnet sub</c>: one line per event, human-readable or JSON. Total: any event the
/// client can decode prints as exactly one line, and no character from the wire can move the cursor, start an escape
/// sequence or reorder text (docs/operations.md, "How sub prints what it receives").
/// </summary>
internal static class EventPrinter
{
    // One day inside DateTimeOffset's range at both ends, so the conversion to local time cannot overflow either.
    private const double _minUnixSeconds = -62_135_596_800 + 86_400;
    private const double _maxUnixSeconds = 253_402_300_799 - 86_400;

    private static readonly JsonWriterOptions _compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One JSON object per event: <c>{"topic","type","id","ts","payload","publisher"?}</c>. A payload that does not
    /// decode is printed as <c>null</c> with a <c>payload_error</c> field, so one bad event never stops the stream.
    /// </summary>
    public static string ToJsonLine(BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, _compact))
        {
            writer.WriteStartObject();
            writer.WriteString("topic", evt.Topic);
            writer.WriteString("type", evt.Type);
            writer.WriteString("id", evt.Id);
            WriteTimestamp(writer, evt.Timestamp);
            writer.WritePropertyName("payload");
            var error = MessagePackJson.TryWrite(writer, evt.Payload, _compact);
            if (error is not null)
            {
                writer.WriteString("payload_error", error);
            }

            if (evt.Publisher is { } publisher)
            {
                writer.WriteStartObject("publisher");
                writer.WriteNumber("pid", publisher.Pid);
                writer.WriteNumber("uid", publisher.Uid);
                writer.WriteNumber("gid", publisher.Gid);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return TerminalSafe(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>A human-readable line: local time, topic, type and the payload as compact JSON.</summary>
    public static string ToTextLine(BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        using var buffer = new MemoryStream();
        string? error;
        using (var writer = new Utf8JsonWriter(buffer, _compact))
        {
            error = MessagePackJson.TryWrite(writer, evt.Payload, _compact);
        }

        var payload = error ?? Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var type = evt.Type.Length == 0 ? "-" : evt.Type;
        return TerminalSafe($"{FormatTime(evt.Timestamp)} {evt.Topic} {type} {payload}");
    }

    /// <summary>
    /// <c>HH:mm:ss.ffffff</c> in local time, or <c>ts=VALUE</c> when the envelope's time is not finite or outside
    /// years 1 to 9999 (a hostile or broken publisher's <c>ts</c> must not stop the stream).
    /// </summary>
    internal static string FormatTime(double timestamp)
    {
        // Checked in seconds before converting, so NaN and 1e300 never reach the tick arithmetic.
        if (timestamp is >= _minUnixSeconds and <= _maxUnixSeconds)
        {
            var utc = DateTimeOffset.UnixEpoch.AddTicks((long)(timestamp * TimeSpan.TicksPerSecond));
            return utc.ToLocalTime().ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        }

        return $"ts={timestamp.ToString("R", CultureInfo.InvariantCulture)}";
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, double timestamp)
    {
        if (double.IsFinite(timestamp))
        {
            writer.WriteNumber("ts", timestamp);
        }
        else
        {
            // JSON has no NaN or Infinity: the same strings as a non-finite payload float.
            writer.WriteString("ts", double.IsNaN(timestamp) ? "NaN" : timestamp > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>
    /// The relaxed JSON encoder escapes C0, C1, DEL, U+2028/9 and every non-BMP character, but passes bidi controls,
    /// zero-width and other format characters through raw. <see cref="UntrustedText.Escape"/> turns each into
    /// <c>\uXXXX</c>, which inside a JSON string is the same character, so the line stays valid JSON with the same
    /// values (no raw non-BMP character remains for it to write as <c>\U</c>).
    /// </summary>
    private static string TerminalSafe(string line) => UntrustedText.Escape(line);
}
