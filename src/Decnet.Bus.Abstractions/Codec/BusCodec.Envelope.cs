using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Decnet.Bus.Tracing;
using MessagePack;

namespace Decnet.Bus.Codec;

public static partial class BusCodec
{
    /// <summary>
    /// Writes <paramref name="evt"/> in the cross-language map form
    /// <c>{v, id, topic, type, ts, payload}</c>, plus <c>trace</c> when the event carries a trace context: <c>ts</c> as float64, <c>payload</c> embedded as the raw map
    /// (not as a binary blob), so a Python peer or <c>decnet sub --json</c> reads it as a nested map.
    /// </summary>
    /// <remarks><see cref="BusEvent.Publisher"/> is not part of the envelope: only the broker may assert it.</remarks>
    /// <exception cref="ArgumentException">The event's payload is not a string-keyed MessagePack map.</exception>
    public static void WriteEnvelope(IBufferWriter<byte> destination, BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(evt);

        var payload = evt.Payload.IsEmpty ? EmptyMap : evt.Payload;
        if (DescribePayloadError(new ReadOnlySequence<byte>(payload)) is { } error)
        {
            throw new ArgumentException($"Event {evt.Id} payload {error}.", nameof(evt));
        }

        var trace = evt.Trace;
        var writer = new MessagePackWriter(destination);
        writer.WriteMapHeader(trace.IsEmpty ? 6 : 7);
        writer.Write(EnvelopeKeys.Version);
        writer.Write(evt.Version);
        writer.Write(EnvelopeKeys.Id);
        writer.Write(evt.Id);
        writer.Write(EnvelopeKeys.Topic);
        writer.Write(evt.Topic);
        writer.Write(EnvelopeKeys.Type);
        writer.Write(evt.Type);
        writer.Write(EnvelopeKeys.Timestamp);
        writer.Write(evt.Timestamp);
        writer.Write(EnvelopeKeys.Payload);
        writer.WriteRaw(payload.Span);
        if (!trace.IsEmpty)
        {
            writer.Write(TraceKey);
            WriteTrace(ref writer, trace);
        }

        writer.Flush();
    }

    /// <summary>Serializes <paramref name="evt"/> in the map form to a new array; see <see cref="WriteEnvelope"/>.</summary>
    /// <exception cref="ArgumentException">The event's payload is not a string-keyed MessagePack map.</exception>
    public static byte[] SerializeEnvelope(BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var buffer = new ArrayBufferWriter<byte>(64 + evt.Topic.Length + evt.Payload.Length);
        WriteEnvelope(buffer, evt);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes an envelope in the map form from untrusted bytes. Checks that <c>v</c> is a supported integer
    /// version, <c>id</c> is 32 lowercase hex characters, <c>topic</c> is a valid concrete topic, <c>type</c> is a
    /// string without control characters (absent or nil means empty), <c>ts</c> is a finite number, and <c>payload</c> is a string-keyed map
    /// nested at most <see cref="MaxPayloadDepth"/> deep. An invalid <c>trace</c> is dropped, not an error. Unknown keys are skipped so newer peers can add fields.
    /// </summary>
    /// <param name="bytes">Exactly one MessagePack map; trailing bytes are an error.</param>
    /// <param name="evt">The event; its payload is a copy, so <paramref name="bytes"/> may be reused afterwards.</param>
    /// <param name="error">Why the bytes are not a valid envelope, in one line.</param>
    /// <returns>True when the bytes are a valid envelope.</returns>
    public static bool TryDeserializeEnvelope(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out BusEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        try
        {
            error = ReadEnvelope(bytes, out evt);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            error = $"not valid MessagePack ({ex.Message})";
        }

        return error is null;
    }

    /// <summary>Decodes an envelope in the map form; see <see cref="TryDeserializeEnvelope"/> for what is checked.</summary>
    /// <exception cref="FormatException">The bytes are not a valid envelope; the message says why.</exception>
    public static BusEvent DeserializeEnvelope(ReadOnlyMemory<byte> bytes)
        => TryDeserializeEnvelope(bytes, out var evt, out var error)
            ? evt
            : throw new FormatException($"Invalid bus envelope: {error}.");

    private static string? ReadEnvelope(ReadOnlyMemory<byte> bytes, out BusEvent? evt)
    {
        evt = null;
        var reader = new MessagePackReader(bytes);
        if (reader.End)
        {
            return "it is empty";
        }

        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return $"it is a MessagePack {reader.NextMessagePackType}, not a map";
        }

        int? version = null;
        string? id = null, topic = null, type = null;
        double? timestamp = null;
        byte[]? payload = null;
        TraceContext? trace = null;

        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                return $"key {i + 1} is a {reader.NextMessagePackType}; envelope keys are strings";
            }

            var key = reader.ReadString();
            var duplicate = key switch
            {
                EnvelopeKeys.Version => version is not null,
                EnvelopeKeys.Id => id is not null,
                EnvelopeKeys.Topic => topic is not null,
                EnvelopeKeys.Type => type is not null,
                EnvelopeKeys.Timestamp => timestamp is not null,
                EnvelopeKeys.Payload => payload is not null,
                TraceKey => trace is not null,
                _ => false,
            };
            if (duplicate)
            {
                return $"key \"{key}\" appears twice";
            }

            var fieldError = key switch
            {
                EnvelopeKeys.Version => ReadVersion(ref reader, out version),
                EnvelopeKeys.Id => ReadString(ref reader, EnvelopeKeys.Id, out id),
                EnvelopeKeys.Topic => ReadString(ref reader, EnvelopeKeys.Topic, out topic),
                EnvelopeKeys.Type => ReadType(ref reader, out type),
                EnvelopeKeys.Timestamp => ReadTimestamp(ref reader, out timestamp),
                EnvelopeKeys.Payload => ReadPayload(ref reader, bytes, out payload),
                TraceKey => ReadTraceKey(ref reader, out trace),
                _ => SkipUnknown(ref reader),
            };
            if (fieldError is not null)
            {
                return fieldError;
            }
        }

        if (!reader.End)
        {
            return "trailing bytes after the envelope map";
        }

        if (version is null || id is null || topic is null || timestamp is null || payload is null)
        {
            var missing = version is null ? EnvelopeKeys.Version : id is null ? EnvelopeKeys.Id : topic is null ? EnvelopeKeys.Topic : timestamp is null ? EnvelopeKeys.Timestamp : EnvelopeKeys.Payload;
            return $"required key \"{missing}\" is missing";
        }

        if (!EventId.IsValid(id))
        {
            return $"id \"{Topics.Printable(id)}\" is not 32 lowercase hex characters";
        }

        if (Topics.DescribeTopicError(topic) is { } topicError)
        {
            return $"topic \"{Topics.Printable(topic)}\" is invalid: {topicError}";
        }

        evt = new BusEvent(topic, payload, type, id, timestamp.Value, version.Value)
        {
            TraceParent = trace?.Parent,
            TraceState = trace?.State,
        };
        return null;
    }

    private static string? ReadTraceKey(ref MessagePackReader reader, out TraceContext? trace)
    {
        var error = ReadTrace(ref reader, out var read);
        trace = read;
        return error;
    }

    private static string? ReadVersion(ref MessagePackReader reader, out int? version)
    {
        version = null;
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            return $"\"v\" is a {reader.NextMessagePackType}, not an integer";
        }

        var value = reader.ReadInt64();
        if (value is < 1 or > BusEvent.CurrentVersion)
        {
            return $"envelope version {value.ToString(CultureInfo.InvariantCulture)} is not supported (this library reads 1..{BusEvent.CurrentVersion})";
        }

        version = (int)value;
        return null;
    }

    private static string? ReadString(ref MessagePackReader reader, string key, out string? value)
    {
        value = null;
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            return $"\"{key}\" is a {reader.NextMessagePackType}, not a string";
        }

        value = reader.ReadString();
        return null;
    }

    private static string? ReadType(ref MessagePackReader reader, out string? type)
    {
        if (reader.TryReadNil())
        {
            type = string.Empty;
            return null;
        }

        var error = ReadString(ref reader, EnvelopeKeys.Type, out type);
        if (error is not null || type is null)
        {
            return error;
        }

        // The rule of EventTypes and the broker: delivered, such a type reaches printers raw, and a bridge forwarding it
        // to its local broker would be disconnected over it (docs/cross-host.md, "On the wire").
        var control = UntrustedText.IndexOfControl(type);
        return control < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"type \"{UntrustedText.Excerpt(type)}\" contains a control character (U+{(int)type[control]:X4}); a type is one line of text");
    }

    private static string? ReadTimestamp(ref MessagePackReader reader, out double? timestamp)
    {
        timestamp = null;
        double value;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Float:
            case MessagePackType.Integer:
                // Python writes float64; accept integers and float32 too, they are unambiguous.
                value = reader.ReadDouble();
                break;
            default:
                return $"\"ts\" is a {reader.NextMessagePackType}, not a number";
        }

        if (!double.IsFinite(value))
        {
            return "\"ts\" is not a finite number";
        }

        timestamp = value;
        return null;
    }

    private static string? ReadPayload(ref MessagePackReader reader, ReadOnlyMemory<byte> bytes, out byte[]? payload)
    {
        payload = null;
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return $"\"payload\" is a {reader.NextMessagePackType}, not a map";
        }

        var start = (int)reader.Consumed;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                return $"payload key {i + 1} is a {reader.NextMessagePackType}; keys must be strings";
            }

            reader.Skip();
            if (SkipBounded(ref reader, 1) is { } error)
            {
                return error;
            }
        }

        payload = bytes[start..(int)reader.Consumed].ToArray();
        return null;
    }

    private static string? SkipUnknown(ref MessagePackReader reader) => SkipBounded(ref reader, 0);

    /// <summary>
    /// Skips one value, refusing nesting deeper than <see cref="MaxPayloadDepth"/>: the reader's own Skip recurses
    /// without a limit, so hostile input could otherwise exhaust the stack.
    /// </summary>
    private static string? SkipBounded(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxPayloadDepth)
        {
            return $"nesting is deeper than {MaxPayloadDepth} levels";
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                for (var i = 0; i < entries * 2; i++)
                {
                    if (SkipBounded(ref reader, depth + 1) is { } mapError)
                    {
                        return mapError;
                    }
                }

                return null;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                for (var i = 0; i < items; i++)
                {
                    if (SkipBounded(ref reader, depth + 1) is { } arrayError)
                    {
                        return arrayError;
                    }
                }

                return null;
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>Field names of the map form, shared with DECNET's Python envelope (docs/wire-protocol.md, envelope).</summary>
    private static class EnvelopeKeys
    {
        public const string Version = "v";
        public const string Id = "id";
        public const string Topic = "topic";
        public const string Type = "type";
        public const string Timestamp = "ts";
        public const string Payload = "payload";
    }
}
