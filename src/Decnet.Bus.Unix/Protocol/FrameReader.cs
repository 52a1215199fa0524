using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Pure frame parser over a receive buffer: no copies, no allocations, no exception for "need more bytes".
/// Malformed input throws <see cref="ProtocolException"/>, which ends the connection.
/// </summary>
internal static class FrameReader
{
    /// <summary>
    /// The fixed ERR text for a field MessagePack cannot read as the protocol requires (docs/wire-protocol.md §6). ERR
    /// text is stable and documented: it never carries a .NET exception message.
    /// </summary>
    internal const string MalformedField = "a field is missing, truncated, out of range or of the wrong MessagePack type";

    /// <summary>
    /// Parses one frame from the start of <paramref name="buffer"/>. On success slices the frame off the buffer.
    /// Returns false when the buffer holds only part of a frame. A length prefix above <paramref name="maxFrame"/>
    /// fails at once, before any of the claimed bytes are awaited or allocated.
    /// </summary>
    /// <exception cref="ProtocolException">The frame is malformed or too large.</exception>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, int maxFrame, out Frame frame)
    {
        frame = default;
        if (buffer.Length < ProtocolConstants.HeaderSize)
        {
            return false;
        }

        uint length;
        if (buffer.FirstSpan.Length >= ProtocolConstants.HeaderSize)
        {
            length = BinaryPrimitives.ReadUInt32BigEndian(buffer.FirstSpan);
        }
        else
        {
            Span<byte> header = stackalloc byte[ProtocolConstants.HeaderSize];
            buffer.Slice(0, ProtocolConstants.HeaderSize).CopyTo(header);
            length = BinaryPrimitives.ReadUInt32BigEndian(header);
        }

        if (length > (uint)maxFrame)
        {
            throw new ProtocolException(BusErrorCode.FrameTooLarge, $"frame of {length} bytes exceeds the limit of {maxFrame} bytes");
        }

        if (length == 0)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "empty frame");
        }

        if (buffer.Length - ProtocolConstants.HeaderSize < length)
        {
            return false;
        }

        var body = buffer.Slice(ProtocolConstants.HeaderSize, length);
        frame = ParseBody(body);
        buffer = buffer.Slice(body.End);
        return true;
    }

    private static Frame ParseBody(ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment && TryParseCanonicalPub(body, out var pub))
        {
            return pub;
        }

        if (body.FirstSpan is [0x98 or 0x99, (byte)FrameKind.Evt, ..])
        {
            // An EVT as the broker writes it: decoded in full later, like the general path does for any EVT.
            return new Frame(FrameKind.Evt, body, 0, default, default);
        }

        var kind = (FrameKind)0;
        try
        {
            var reader = new MessagePackReader(body);
            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "frame body is not a MessagePack array");
            }

            var count = reader.ReadArrayHeader();
            if (count < 1 || reader.NextMessagePackType != MessagePackType.Integer)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "frame does not start with an integer kind");
            }

            kind = (FrameKind)reader.ReadInt32();
            switch (kind)
            {
                case FrameKind.Pub:
                    {
                        // 7 elements: the optional trailing trace, checked with the rest of the tail (FrameDecoder).
                        Expect(count, count == 7 ? 7 : 6, kind);
                        var topic = ReadUtf8(ref reader);
                        return new Frame(kind, body, 0, topic, body.Slice(reader.Position), count);
                    }

                case FrameKind.Sub:
                    {
                        Expect(count, 3, kind);
                        var sid = reader.ReadUInt32();
                        var pattern = ReadUtf8(ref reader);
                        ExpectEnd(ref reader, kind);
                        return new Frame(kind, body, sid, pattern, default);
                    }

                case FrameKind.SubAck:
                case FrameKind.Unsub:
                    {
                        Expect(count, 2, kind);
                        var sid = reader.ReadUInt32();
                        ExpectEnd(ref reader, kind);
                        return new Frame(kind, body, sid, default, default);
                    }

                case FrameKind.Ping:
                case FrameKind.Pong:
                case FrameKind.Bye:
                case FrameKind.Stats:
                    Expect(count, 1, kind);
                    ExpectEnd(ref reader, kind);
                    return new Frame(kind, body, 0, default, default);

                case FrameKind.Hello:
                case FrameKind.Welcome:
                case FrameKind.Evt:
                case FrameKind.Err:
                case FrameKind.StatsReply:
                case FrameKind.Lost:
                    // Decoded in full by FrameDecoder where they are consumed.
                    return new Frame(kind, body, 0, default, default);

                default:
                    throw new ProtocolException(BusErrorCode.BadFrame, $"unknown frame kind {(int)kind}");
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"malformed {(kind == 0 ? "frame" : Name(kind))}: {MalformedField}");
        }
    }

    /// <summary>
    /// The hot path for the frame a broker sees most: a PUB as every client encodes it (fixarray of 6, or 7 with a trace, fixint kind 3,
    /// then the topic string), read straight from the bytes. Anything else, including other valid encodings of the
    /// same PUB, goes through the general reader.
    /// </summary>
    private static bool TryParseCanonicalPub(ReadOnlySequence<byte> body, out Frame frame)
    {
        frame = default;
        if (!TryReadPubHead(body.FirstSpan, out var topicLength, out var tailStart))
        {
            return false;
        }

        frame = new Frame(FrameKind.Pub, body, 0, body.Slice(tailStart - topicLength, topicLength), body.Slice(tailStart), body.FirstSpan[0] & 0x0f);
        return true;
    }

    /// <summary>
    /// Reads a whole canonical PUB (see <see cref="TryParseCanonicalPub"/>) from the start of <paramref name="bytes"/>,
    /// as spans of the receive buffer: a run of them is handled without building a <see cref="Frame"/> or slicing a
    /// sequence per frame. False for anything else, including a partial, empty or oversized frame, which
    /// <see cref="TryParse"/> then handles (or refuses) exactly as before.
    /// </summary>
    public static bool TryReadCanonicalPub(ReadOnlySpan<byte> bytes, int maxFrame, out int frameLength, out ReadOnlySpan<byte> topic, out ReadOnlySpan<byte> tail)
    {
        topic = default;
        tail = default;
        if (!TryReadBody(bytes, maxFrame, out frameLength, out var body) || !TryReadPubHead(body, out var topicLength, out var tailStart))
        {
            return false;
        }

        topic = body.Slice(tailStart - topicLength, topicLength);
        tail = body[tailStart..];
        return true;
    }

    /// <summary>
    /// The canonical PUB head both readers accept (fixarray of 6 or 7, fixint kind 3, a str topic): where the topic
    /// ends and the tail starts, and the topic's length. Every PUB the client encodes has it (the outbox reads its
    /// queued frames' topics with it).
    /// </summary>
    internal static bool TryReadPubHead(ReadOnlySpan<byte> body, out int topicLength, out int tailStart)
    {
        topicLength = 0;
        tailStart = 2;
        if (body.Length < 3 || body[0] is not (0x96 or 0x97) || body[1] != (byte)FrameKind.Pub
            || !MessagePackScan.TryReadString(body, ref tailStart, out var topic, out var nil) || nil)
        {
            return false;
        }

        topicLength = topic.Length;
        return true;
    }

    /// <summary>
    /// Reads a whole untraced EVT as the broker writes it (fixarray of 8, fixint kind 6) from the start of
    /// <paramref name="bytes"/>: the client's span lane, like <see cref="TryReadCanonicalPub"/> is the broker's. The body
    /// is decoded later by <see cref="EvtSpanDecoder"/>, which reads only that form; anything else (a traced EVT among
    /// them) is declined and left to <see cref="TryParse"/> and the general decoder.
    /// </summary>
    public static bool TryReadEvt(ReadOnlySpan<byte> bytes, int maxFrame, out int frameLength, out ReadOnlySpan<byte> body)
        => TryReadBody(bytes, maxFrame, out frameLength, out body) && body is [0x98, (byte)FrameKind.Evt, ..];

    /// <summary>A whole frame of a size <see cref="TryParse"/> accepts at the start of <paramref name="bytes"/>; false for anything else.</summary>
    private static bool TryReadBody(ReadOnlySpan<byte> bytes, int maxFrame, out int frameLength, out ReadOnlySpan<byte> body)
    {
        frameLength = 0;
        body = default;
        if (bytes.Length <= ProtocolConstants.HeaderSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (length == 0 || length > (uint)maxFrame || length > (uint)(bytes.Length - ProtocolConstants.HeaderSize))
        {
            return false;
        }

        body = bytes.Slice(ProtocolConstants.HeaderSize, (int)length);
        frameLength = ProtocolConstants.HeaderSize + (int)length;
        return true;
    }

    /// <summary>The kind's name as the spec writes it (SUB, PUB, ...), for ERR text.</summary>
    internal static string Name(FrameKind kind) => kind switch
    {
        FrameKind.Hello => "HELLO",
        FrameKind.Welcome => "WELCOME",
        FrameKind.Pub => "PUB",
        FrameKind.Sub => "SUB",
        FrameKind.SubAck => "SUBACK",
        FrameKind.Unsub => "UNSUB",
        FrameKind.Evt => "EVT",
        FrameKind.Ping => "PING",
        FrameKind.Pong => "PONG",
        FrameKind.Err => "ERR",
        FrameKind.Bye => "BYE",
        FrameKind.Stats => "STATS",
        FrameKind.StatsReply => "STATS reply",
        FrameKind.Lost => "LOST",
        _ => "frame",
    };

    /// <summary>
    /// Reads a topic or pattern. A value that is not a str (bin, nil, a number...) is skipped and read as empty, which
    /// the broker refuses as an invalid topic (ERR 3) or pattern (ERR 4) like any other bad topic: the frame itself is
    /// well-formed, so the connection stays (docs/wire-protocol.md §6).
    /// </summary>
    private static ReadOnlySequence<byte> ReadUtf8(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            BoundedSkip.Skip(ref reader, ProtocolConstants.MaxNestingDepth);
            return default;
        }

        return reader.ReadStringSequence() ?? default;
    }

    private static void Expect(int count, int expected, FrameKind kind)
    {
        if (count != expected)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"{Name(kind)} has {count} elements, expected {expected}");
        }
    }

    private static void ExpectEnd(ref MessagePackReader reader, FrameKind kind)
    {
        if (!reader.End)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"{Name(kind)} has trailing bytes");
        }
    }
}
