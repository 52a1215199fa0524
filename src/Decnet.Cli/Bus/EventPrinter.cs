using System.Globalization;
using System.Text;
using System.Text.Json;
using Decnet.Bus;

namespace Decnet.Cli.Bus;

/// <summary>Formats received events for <c>decnet sub</c>: one line per event, human-readable or JSON.</summary>
internal static class EventPrinter
{
    private static readonly JsonWriterOptions _compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
            writer.WriteNumber("ts", evt.Timestamp);
            writer.WritePropertyName("payload");
            var error = TryWritePayload(writer, evt);
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

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A human-readable line: local time, topic, type and the payload as compact JSON.</summary>
    public static string ToTextLine(BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        using var buffer = new MemoryStream();
        string? error;
        using (var writer = new Utf8JsonWriter(buffer, _compact))
        {
            error = TryWritePayload(writer, evt);
        }

        var payload = error ?? Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var time = evt.PublishedAt.ToLocalTime().ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var type = evt.Type.Length == 0 ? "-" : evt.Type;
        return $"{time} {evt.Topic} {type} {payload}";
    }

    private static string? TryWritePayload(Utf8JsonWriter writer, BusEvent evt)
    {
        IReadOnlyDictionary<string, object?> payload;
        try
        {
            payload = evt.ReadPayloadAsDictionary();
        }
        catch (MessagePack.MessagePackSerializationException ex)
        {
            writer.WriteNullValue();
            return $"undecodable payload ({ex.Message})";
        }

        JsonPayload.WriteValue(writer, payload);
        return null;
    }
}
