using System.Buffers;
using System.Buffers.Binary;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>Encodes frames (length prefix + one MessagePack array) into a <see cref="PooledBufferWriter"/>.</summary>
internal static class FrameWriter
{
    /// <summary>Bytes an EVT frame needs before its shared suffix, at most (prefix, array header, kind, sids header).</summary>
    public const int EvtPrefixReserve = ProtocolConstants.HeaderSize + 1 + 1 + 5;

    public static void WriteHello(PooledBufferWriter buffer, HelloMessage hello)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(hello.ReportLost ? 7 : 6);
        writer.Write((int)FrameKind.Hello);
        writer.Write(hello.Version);
        writer.Write(hello.Name);
        writer.Write(hello.Echo);
        writer.Write(hello.QueueSize);
        writer.Write(hello.MaxFrame);
        if (hello.ReportLost)
        {
            writer.Write(true);
        }

        writer.Flush();
        End(buffer, start);
    }

    public static void WriteWelcome(PooledBufferWriter buffer, WelcomeMessage welcome)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(7);
        writer.Write((int)FrameKind.Welcome);
        writer.Write(welcome.Version);
        writer.Write(welcome.BrokerPid);
        writer.Write(welcome.MaxFrame);
        writer.Write(welcome.MaxTopic);
        writer.Write(welcome.MaxSubscriptions);
        writer.Write(welcome.QueueSize);
        writer.Flush();
        End(buffer, start);
    }

    /// <summary>Encodes a PUB frame; the payload goes through <see cref="BusCodec.WritePayload{T}"/> (which checks it is a map).</summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    public static void WritePub<T>(PooledBufferWriter buffer, string topic, string type, string id, double timestamp, T payload, TraceContext trace = default)
    {
        var start = WritePubHead(buffer, topic, type, trace);
        var writer = new MessagePackWriter(buffer);
        writer.Write(id);
        writer.Write(timestamp);
        writer.Flush();
        BusCodec.WritePayload(buffer, payload);
        WriteTrace(buffer, trace);
        End(buffer, start);
    }

    /// <summary>
    /// Encodes a PUB frame with a fresh id, byte-identical to <see cref="WritePub{T}"/> given that id. The client's
    /// hot path: the id is written as hex straight into the frame (str8 of 32 bytes), so no id string is allocated.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    public static void WritePubWithNewId<T>(PooledBufferWriter buffer, string topic, string type, double timestamp, T payload, TraceContext trace = default)
    {
        const int IdAndTimestamp = 2 + EventId.Length + 9;
        var start = WritePubHead(buffer, topic, type, trace);
        var span = buffer.GetSpan(IdAndTimestamp);
        span[0] = MessagePackCode.Str8;
        span[1] = EventId.Length;
        EventId.WriteNewIdUtf8(span.Slice(2, EventId.Length));
        span[2 + EventId.Length] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[(3 + EventId.Length)..], timestamp);
        buffer.Advance(IdAndTimestamp);
        BusCodec.WritePayload(buffer, payload);
        WriteTrace(buffer, trace);
        End(buffer, start);
    }

    /// <summary>Encodes a PUB frame around an already-encoded payload map.</summary>
    public static void WritePubRaw(PooledBufferWriter buffer, string topic, string type, string id, double timestamp, ReadOnlySpan<byte> payload, TraceContext trace = default)
    {
        var start = WritePubHead(buffer, topic, type, trace);
        var writer = new MessagePackWriter(buffer);
        writer.Write(id);
        writer.Write(timestamp);
        writer.WriteRaw(payload);
        writer.Flush();
        WriteTrace(buffer, trace);
        End(buffer, start);
    }

    public static void WriteSub(PooledBufferWriter buffer, uint sid, string pattern)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write((int)FrameKind.Sub);
        writer.Write(sid);
        writer.Write(pattern);
        writer.Flush();
        End(buffer, start);
    }

    public static void WriteSubAck(PooledBufferWriter buffer, uint sid) => WriteSidFrame(buffer, FrameKind.SubAck, sid);

    public static void WriteUnsub(PooledBufferWriter buffer, uint sid) => WriteSidFrame(buffer, FrameKind.Unsub, sid);

    /// <summary>
    /// Writes LOST frames <c>[14, [[sid, count], ...]]</c> for every entry of <paramref name="lost"/>, at most
    /// <see cref="ProtocolConstants.MaxLostPerFrame"/> pairs per frame so each stays far below the smallest frame limit.
    /// </summary>
    public static void WriteLost(PooledBufferWriter buffer, Dictionary<uint, long> lost)
    {
        var remaining = lost.Count;
        var start = 0;
        var writer = default(MessagePackWriter);
        var inFrame = 0;
        foreach (var (sid, count) in lost)
        {
            if (inFrame == 0)
            {
                start = Begin(buffer);
                writer = new MessagePackWriter(buffer);
                inFrame = Math.Min(remaining, ProtocolConstants.MaxLostPerFrame);
                remaining -= inFrame;
                writer.WriteArrayHeader(2);
                writer.Write((int)FrameKind.Lost);
                writer.WriteArrayHeader(inFrame);
            }

            writer.WriteArrayHeader(2);
            writer.Write(sid);
            writer.Write(count);
            if (--inFrame == 0)
            {
                writer.Flush();
                End(buffer, start);
            }
        }
    }

    /// <summary>Writes a frame that is only its kind: PING, PONG, BYE, STATS.</summary>
    public static void WriteSimple(PooledBufferWriter buffer, FrameKind kind)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(1);
        writer.Write((int)kind);
        writer.Flush();
        End(buffer, start);
    }

    public static void WriteErr(PooledBufferWriter buffer, BusErrorCode code, string message)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write((int)FrameKind.Err);
        writer.Write((int)code);
        writer.Write(message);
        writer.Flush();
        End(buffer, start);
    }

    /// <summary>An ERR that rejects one request (kind and sid) and leaves the connection open (docs/wire-protocol.md §6).</summary>
    public static void WriteRequestErr(PooledBufferWriter buffer, BusErrorCode code, string message, FrameKind request, uint sid)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write((int)FrameKind.Err);
        writer.Write((int)code);
        writer.Write(message);
        writer.Write((int)request);
        writer.Write(sid);
        writer.Flush();
        End(buffer, start);
    }

    public static void WriteStatsReply(PooledBufferWriter buffer, BrokerStats stats)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(9);
        writer.Write((int)FrameKind.StatsReply);
        writer.Write(stats.BrokerPid);
        writer.Write(stats.UptimeSeconds);
        writer.Write(stats.Published);
        writer.Write(stats.Delivered);
        writer.Write(stats.Dropped);
        writer.WriteArrayHeader(stats.Connections.Count);
        foreach (var row in stats.Connections)
        {
            writer.WriteArrayHeader(11);
            writer.Write(row.Name);
            writer.Write(row.Pid);
            writer.Write(row.Uid);
            writer.Write(row.Gid);
            writer.Write(row.Subscriptions);
            writer.Write(row.Queued);
            writer.Write(row.Dropped);
            writer.Write(row.Delivered);
            writer.Write(row.Published);
            writer.Write(row.QueuedBytes);
            writer.Write(row.Protocol);
        }

        // Appended in the hardening release; older readers stop after the rows.
        writer.WriteMapHeader(stats.Rejections.Count);
        foreach (var (name, count) in stats.Rejections)
        {
            writer.Write(name);
            writer.Write(count);
        }

        // Appended with the heartbeat label in `decnet stats`; older readers ignore it.
        writer.Write(stats.Heartbeats);
        writer.Flush();
        End(buffer, start);
    }

    /// <summary>
    /// Writes the part of an EVT frame shared by every receiving connection: topic, publisher credentials and the
    /// PUB tail copied byte for byte. Encoded once per publish.
    /// </summary>
    public static void WriteEvtSuffix(IBufferWriter<byte> buffer, ReadOnlySequence<byte> topicUtf8, PeerCredentials publisher, ReadOnlySequence<byte> tail)
    {
        var writer = new MessagePackWriter(buffer);
        writer.WriteStringHeader((int)topicUtf8.Length);
        foreach (var segment in topicUtf8)
        {
            writer.WriteRaw(segment.Span);
        }

        WriteCredentials(ref writer, publisher);
        foreach (var segment in tail)
        {
            writer.WriteRaw(segment.Span);
        }

        writer.Flush();
    }

    /// <summary>The EVT suffix up to the PUB tail: topic and publisher credentials, the same for every event on a topic.</summary>
    public static void WriteEvtTopicHead(IBufferWriter<byte> buffer, ReadOnlySpan<byte> topicUtf8, PeerCredentials publisher)
    {
        var writer = new MessagePackWriter(buffer);
        writer.WriteStringHeader(topicUtf8.Length);
        writer.WriteRaw(topicUtf8);
        WriteCredentials(ref writer, publisher);
        writer.Flush();
    }

    private static void WriteCredentials(ref MessagePackWriter writer, PeerCredentials publisher)
    {
        writer.WriteArrayHeader(3);
        writer.Write(publisher.Pid);
        writer.Write(publisher.Uid);
        writer.Write(publisher.Gid);
    }

    /// <summary>
    /// Writes the per-connection head of an EVT frame (length, array header, kind, sids) for a suffix of
    /// <paramref name="suffixLength"/> bytes; <paramref name="traced"/> when the PUB tail in it carries a <c>trace</c>
    /// (the EVT then has 9 elements instead of 8).
    /// </summary>
    public static void WriteEvtPrefix(IBufferWriter<byte> buffer, ReadOnlySpan<uint> sids, int suffixLength, bool traced = false)
    {
        // The length prefix depends on the encoded sids, so encode them after a placeholder and patch it.
        var span = buffer.GetSpan(EvtPrefixReserve + (sids.Length * 5));
        var at = ProtocolConstants.HeaderSize;
        span[at++] = traced ? (byte)0x99 : (byte)0x98; // fixarray of 8, or 9 with the trace
        span[at++] = (byte)FrameKind.Evt;
        at += WriteArrayHeader(span[at..], sids.Length);
        foreach (var sid in sids)
        {
            at += WriteUInt(span[at..], sid);
        }

        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(at - ProtocolConstants.HeaderSize + suffixLength));
        buffer.Advance(at);
    }

    private static void WriteSidFrame(PooledBufferWriter buffer, FrameKind kind, uint sid)
    {
        var start = Begin(buffer);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write((int)kind);
        writer.Write(sid);
        writer.Flush();
        End(buffer, start);
    }

    /// <summary>
    /// A PUB's first four elements: its array header (<paramref name="elements"/>: 6, or 7 with a trace), kind, topic and
    /// type. The part of a frame the client's publisher encodes once per topic and type (<c>EncodedHead</c>).
    /// </summary>
    internal static void WritePubFields(PooledBufferWriter buffer, string topic, string type, int elements)
    {
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(elements);
        writer.Write((int)FrameKind.Pub);
        writer.Write(topic);
        writer.Write(type);
        writer.Flush();
    }

    /// <summary>Length prefix placeholder, array header, kind, topic and type: what every PUB encoding starts with.</summary>
    /// <remarks>A PUB has 6 elements, 7 with the optional trailing <c>trace</c> map (docs/wire-protocol.md §3).</remarks>
    private static int WritePubHead(PooledBufferWriter buffer, string topic, string type, TraceContext trace)
    {
        var start = Begin(buffer);
        WritePubFields(buffer, topic, type, trace.IsEmpty ? 6 : 7);
        return start;
    }

    /// <summary>The optional seventh PUB element: the publisher's W3C trace context, absent when it has none.</summary>
    private static void WriteTrace(PooledBufferWriter buffer, TraceContext trace)
    {
        if (trace.IsEmpty)
        {
            return;
        }

        var writer = new MessagePackWriter(buffer);
        BusCodec.WriteTrace(ref writer, trace);
        writer.Flush();
    }

    private static int Begin(PooledBufferWriter buffer)
    {
        var start = buffer.WrittenCount;
        buffer.GetSpan(ProtocolConstants.HeaderSize);
        buffer.Advance(ProtocolConstants.HeaderSize);
        return start;
    }

    private static void End(PooledBufferWriter buffer, int start)
    {
        var length = buffer.WrittenCount - start - ProtocolConstants.HeaderSize;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.WrittenSpan[start..], (uint)length);
    }

    // MessagePack's compact encodings, written by hand so the hot EVT head needs no writer state.
    private static int WriteArrayHeader(Span<byte> span, int count)
    {
        if (count <= 15)
        {
            span[0] = (byte)(0x90 | count);
            return 1;
        }

        if (count <= ushort.MaxValue)
        {
            span[0] = 0xdc;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            return 3;
        }

        span[0] = 0xdd;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
        return 5;
    }

    private static int WriteUInt(Span<byte> span, uint value)
    {
        if (value <= 0x7f)
        {
            span[0] = (byte)value;
            return 1;
        }

        if (value <= byte.MaxValue)
        {
            span[0] = 0xcc;
            span[1] = (byte)value;
            return 2;
        }

        if (value <= ushort.MaxValue)
        {
            span[0] = 0xcd;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            return 3;
        }

        span[0] = 0xce;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], value);
        return 5;
    }
}
