using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using MessagePack;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Writes an event for a Python client: <c>EVT &lt;topic&gt;\n</c>, a 4-byte big-endian length, then the envelope the
/// Python broker sends, <c>{"v", "id", "topic", "type", "ts", "payload"}</c> with the same JSON types (v an int, ts a
/// float), plus <c>"publisher": {"pid", "uid", "gid"}</c> (the kernel's peer credentials, which Python's
/// <c>Event.from_dict</c> ignores). Built from the EVT suffix every subscriber shares (docs/text-protocol.md).
/// </summary>
internal static class TextEvtWriter
{
    /// <summary>The BYE frame (empty body) a stopping broker sends a Python client.</summary>
    public static readonly byte[] Bye = "BYE\n\0\0\0\0"u8.ToArray();

    private static readonly JsonWriterOptions _json = new()
    {
        // Non-ASCII stays UTF-8, as orjson writes it (JSON needs no more escaping than quotes, backslash and controls).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static BoundedJsonBuffer? _body;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    /// <summary>The JSON buffer a thread keeps between events; one grown past it for a large event goes back.</summary>
    internal const int OrdinaryBytes = 64 * 1024;

    /// <summary>The bytes of JSON buffer the calling thread keeps between events (for tests).</summary>
    internal static int RetainedBytes => _body?.Capacity ?? 0;

    /// <summary>
    /// Appends the text EVT for one MessagePack EVT frame as the broker queues it (length prefix, array header, kind,
    /// sid list, then the shared suffix) to <paramref name="batch"/>; returns why it cannot, or null. A trailing trace
    /// (the ninth element) is left out: the Python envelope has no field for it.
    /// </summary>
    public static string? TryWriteEvt(PooledBufferWriter batch, ReadOnlyMemory<byte> frame)
    {
        // The broker wrote this frame: the array header and kind are one byte each, the sids well-formed.
        var sids = new MessagePackReader(frame[(ProtocolConstants.HeaderSize + 2)..]);
        var count = sids.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            sids.Skip();
        }

        return TryWrite(batch, frame[(ProtocolConstants.HeaderSize + 2 + (int)sids.Consumed)..]);
    }

    /// <summary>Appends the EVT frame for <paramref name="suffix"/> to <paramref name="batch"/>; returns why it cannot, or null.</summary>
    public static string? TryWrite(PooledBufferWriter batch, ReadOnlyMemory<byte> suffix)
    {
        var body = _body ??= new BoundedJsonBuffer(TextFrameReader.MaxBodyBytes, 4096);
        var json = _writer ??= new Utf8JsonWriter(body, _json);
        json.Reset(body);
        try
        {
            return TryWrite(batch, suffix, body, json);
        }
        finally
        {
            // Every thread that sends to a Python subscriber has these: a large event's buffer must not stay with it.
            body.Reset(OrdinaryBytes);
        }
    }

    private static string? TryWrite(PooledBufferWriter batch, ReadOnlyMemory<byte> suffix, BoundedJsonBuffer body, Utf8JsonWriter json)
    {
        ReadOnlyMemory<byte> topic;
        try
        {
            var reader = new MessagePackReader(suffix);
            var topicBytes = reader.ReadStringSequence()!.Value;
            topic = suffix.Slice(0, (int)reader.Consumed)[^(int)topicBytes.Length..];
            if (topic.Span.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            {
                return "its topic is not printable ASCII (a Python EVT header is ASCII)";
            }

            if (topic.Length + 5 > TextFrameReader.MaxHeaderBytes)
            {
                return $"its topic makes an EVT header longer than {TextFrameReader.MaxHeaderBytes} bytes";
            }

            reader.ReadArrayHeader();
            var pid = reader.ReadInt32();
            var uid = reader.ReadInt32();
            var gid = reader.ReadInt32();
            json.WriteStartObject();
            json.WriteNumber("v"u8, 1);

            // The type comes before the id in MessagePack and after it in the envelope.
            var type = reader;
            reader.Skip();
            json.WritePropertyName("id"u8);
            MessagePackToJson.WriteStringValue(ref reader, json);
            json.WriteString("topic"u8, topic.Span);
            json.WritePropertyName("type"u8);
            MessagePackToJson.WriteStringValue(ref type, json);
            json.WritePropertyName("ts"u8);
            MessagePackToJson.WriteFloat(json, reader.ReadDouble());
            json.WritePropertyName("payload"u8);
            MessagePackToJson.Write(ref reader, json);
            json.WriteStartObject("publisher"u8);
            json.WriteNumber("pid"u8, pid);
            json.WriteNumber("uid"u8, uid);
            json.WriteNumber("gid"u8, gid);
            json.WriteEndObject();
            json.WriteEndObject();
            json.Flush();
        }
        catch (PayloadTranslationException ex)
        {
            return ex.Message;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            return $"its MessagePack is malformed ({ex.Message})";
        }

        var frame = batch.GetSpan(4 + topic.Length + 1 + 4 + body.WrittenCount);
        "EVT "u8.CopyTo(frame);
        topic.Span.CopyTo(frame[4..]);
        var at = 4 + topic.Length;
        frame[at++] = (byte)'\n';
        BinaryPrimitives.WriteInt32BigEndian(frame[at..], body.WrittenCount);
        body.WrittenSpan.CopyTo(frame[(at + 4)..]);
        batch.Advance(at + 4 + body.WrittenCount);
        return null;
    }
}
