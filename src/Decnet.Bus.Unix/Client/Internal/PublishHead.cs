using System.Buffers.Binary;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The start of a PUB frame for the topic and type published last on this thread (array header, kind, topic, type),
/// validated and encoded once: a publisher that repeats its topic compares two strings, one that moves between topics
/// finds each head in a <see cref="PublishHeadCache"/>, and the frame is written as one copy of these bytes plus the
/// id, timestamp and payload. Byte-identical to <see cref="FrameWriter.WritePubWithNewId{T}"/>.
/// </summary>
internal sealed class PublishHead(PublishHeadCache cache)
{
    private const int _idAndTimestamp = 2 + EventId.Length + 9;

    // The head in use: a cached one, or (the cache full, or the topic too long for it) this thread's own encoding.
    private readonly PooledBufferWriter _own = new(128);
    private EncodedHead? _cached;
    private string? _topic;
    private string? _type;

    /// <summary>A head over the process's shared cache.</summary>
    public PublishHead()
        : this(PublishHeadCache.Shared)
    {
    }

    /// <summary>The topic's length in UTF-8 bytes (the broker's limit applies to it).</summary>
    public int TopicBytes { get; private set; }

    /// <summary>Makes this the head for <paramref name="topic"/> and <paramref name="type"/>, validating them if they changed.</summary>
    /// <exception cref="ArgumentException">The topic or type is invalid.</exception>
    public void Use(string topic, string? type)
    {
        ArgumentNullException.ThrowIfNull(topic);
        type ??= string.Empty;
        if (string.Equals(topic, _topic, StringComparison.Ordinal) && string.Equals(type, _type, StringComparison.Ordinal))
        {
            return;
        }

        // Forgotten until the new head is in place: a Use that throws leaves no head a later call could match.
        (_topic, _type) = (null, null);
        if (cache.Find(topic, type) is { } head)
        {
            _cached = head;
            TopicBytes = head.TopicBytes;
        }
        else
        {
            _cached = null;
            _own.Reset();
            TopicBytes = EncodedHead.Write(_own, topic, type);
        }

        (_topic, _type) = (topic, type);
    }

    /// <summary>Writes a whole PUB frame with a fresh id into <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    public void WriteFrame<T>(PooledBufferWriter buffer, double timestamp, T payload)
    {
        var start = buffer.WrittenCount;
        var head = _cached is { } cached ? cached.Bytes : _own.WrittenSpan;
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
