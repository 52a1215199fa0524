using System.Buffers.Binary;
using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The start of a PUB frame for the topic and type published last on this thread (array header, kind, topic, type),
/// validated and encoded once: a publisher that repeats its topic skips the topic check and its UTF-8 encoding, and
/// the frame is written as one copy of these bytes plus the id, timestamp and payload. Byte-identical to
/// <see cref="FrameWriter.WritePubWithNewId{T}"/>.
/// </summary>
internal sealed class PublishHead
{
    private const int _idAndTimestamp = 2 + EventId.Length + 9;

    private readonly PooledBufferWriter _bytes = new(128);
    private string? _topic;
    private string? _type;

    /// <summary>The topic's length in UTF-8 bytes (the broker's limit applies to it).</summary>
    public int TopicBytes { get; private set; }

    /// <summary>Makes this the head for <paramref name="topic"/> and <paramref name="type"/>, validating them if they changed.</summary>
    /// <exception cref="ArgumentException">The topic or type is invalid.</exception>
    public void Use(string topic, string? type)
    {
        type ??= string.Empty;
        if (string.Equals(topic, _topic, StringComparison.Ordinal) && string.Equals(type, _type, StringComparison.Ordinal))
        {
            return;
        }

        Topics.EnsureValidTopic(topic);
        EventTypes.EnsureValid(type);
        _topic = null;
        _bytes.Reset();
        var writer = new MessagePackWriter(_bytes);
        writer.WriteArrayHeader(6);
        writer.Write((int)FrameKind.Pub);
        writer.Write(topic);
        writer.Write(type);
        writer.Flush();
        TopicBytes = Encoding.UTF8.GetByteCount(topic);
        (_topic, _type) = (topic, type);
    }

    /// <summary>Writes a whole PUB frame with a fresh id into <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    public void WriteFrame<T>(PooledBufferWriter buffer, double timestamp, T payload)
    {
        var start = buffer.WrittenCount;
        var head = _bytes.WrittenSpan;
        var span = buffer.GetSpan(ProtocolConstants.HeaderSize + head.Length + _idAndTimestamp);
        head.CopyTo(span[ProtocolConstants.HeaderSize..]);
        var at = ProtocolConstants.HeaderSize + head.Length;
        span[at] = MessagePackCode.Str8;
        span[at + 1] = EventId.Length;
        EventId.WriteNewIdUtf8(span.Slice(at + 2, EventId.Length));
        span[at + 2 + EventId.Length] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[(at + 3 + EventId.Length)..], timestamp);
        buffer.Advance(at + _idAndTimestamp);
        BusCodec.WritePayload(buffer, payload);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.WrittenSpan[start..], (uint)(buffer.WrittenCount - start - ProtocolConstants.HeaderSize));
    }
}
