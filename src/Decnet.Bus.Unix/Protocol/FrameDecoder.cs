using System.Buffers;
using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Decodes the frames consumed whole (HELLO, WELCOME, ERR, EVT, STATS reply) from a parsed <see cref="Frame.Body"/>.
/// HELLO and WELCOME ignore extra trailing elements so a later version can append fields.
/// </summary>
internal static class FrameDecoder
{
    /// <summary>The fixed ERR 1 text for a payload map with a key that is not a string.</summary>
    internal const string NonStringKey = "PUB payload has a key that is not a string";

    /// <exception cref="ProtocolException">The body is not a valid HELLO.</exception>
    public static HelloMessage ReadHello(ReadOnlySequence<byte> body) => Decode(body, FrameKind.Hello, 6, static (ref MessagePackReader r) =>
    {
        // Any MessagePack integer is accepted and saturated to the int range: the broker then clamps queue_size and
        // max_frame to its own bounds, and any version but 1 is ERR 7 (docs/wire-protocol.md §3).
        var version = ReadSaturatedInt32(ref r);
        var name = r.ReadString() ?? string.Empty;
        var echo = r.ReadBoolean();
        var queueSize = ReadSaturatedInt32(ref r);
        var maxFrame = ReadSaturatedInt32(ref r);

        // report_lost (docs/wire-protocol.md §3): optional; anything but true leaves it off.
        var reportLost = !r.End && r.NextMessagePackType == MessagePackType.Boolean && r.ReadBoolean();
        return new HelloMessage(version, name, echo, queueSize, maxFrame, reportLost);
    });

    /// <exception cref="ProtocolException">The body is not a valid WELCOME.</exception>
    public static WelcomeMessage ReadWelcome(ReadOnlySequence<byte> body) => Decode(body, FrameKind.Welcome, 7, static (ref MessagePackReader r) =>
        new WelcomeMessage(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()));

    /// <exception cref="ProtocolException">The body is not a valid ERR.</exception>
    /// <remarks>Five elements name a rejected request (the connection stays); three mean the broker closes.</remarks>
    public static ErrorMessage ReadErr(ReadOnlySequence<byte> body) => Decode(body, FrameKind.Err, 3, static (ref MessagePackReader r) =>
    {
        var error = new ErrorMessage((BusErrorCode)r.ReadInt32(), r.ReadString() ?? string.Empty);
        return r.End ? error : error with { Request = (FrameKind)r.ReadInt32(), Sid = r.ReadUInt32() };
    });

    /// <summary>Decodes a LOST frame into <paramref name="lost"/> (cleared first).</summary>
    /// <exception cref="ProtocolException">The body is not a valid LOST frame.</exception>
    public static void ReadLost(ReadOnlySequence<byte> body, List<(uint Sid, long Count)> lost)
    {
        lost.Clear();
        Decode(body, FrameKind.Lost, 2, (ref MessagePackReader r) =>
        {
            var pairs = r.ReadArrayHeader();
            for (var i = 0; i < pairs; i++)
            {
                if (r.ReadArrayHeader() != 2)
                {
                    throw new ProtocolException(BusErrorCode.BadFrame, "LOST entries must be [sid, count]");
                }

                var sid = r.ReadUInt32();
                var count = r.ReadInt64();
                lost.Add((sid, count >= 0 ? count : throw new ProtocolException(BusErrorCode.BadFrame, "LOST count is negative")));
            }

            return pairs;
        });
    }

    /// <exception cref="ProtocolException">The body is not a valid STATS reply.</exception>
    public static BrokerStats ReadStatsReply(ReadOnlySequence<byte> body) => Decode(body, FrameKind.StatsReply, 7, static (ref MessagePackReader r) =>
    {
        var pid = r.ReadInt32();
        var uptime = r.ReadDouble();
        var published = r.ReadInt64();
        var delivered = r.ReadInt64();
        var dropped = r.ReadInt64();
        var count = r.ReadArrayHeader();
        var rows = new List<BrokerConnectionStats>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++)
        {
            var fields = r.ReadArrayHeader();
            if (fields < 9)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "STATS row has fewer than 9 elements");
            }

            var row = new BrokerConnectionStats(
                r.ReadString() ?? string.Empty,
                r.ReadInt32(),
                r.ReadInt32(),
                r.ReadInt32(),
                r.ReadInt32(),
                r.ReadInt64(),
                r.ReadInt64(),
                r.ReadInt64(),
                r.ReadInt64());
            if (fields >= 10)
            {
                row = row with { QueuedBytes = r.ReadInt64() };
            }

            if (fields >= 11)
            {
                row = row with { Protocol = r.ReadString() ?? BrokerConnectionStats.MessagePackProtocol };
            }

            // Fields a later version appends are skipped.
            for (var extra = 11; extra < fields; extra++)
            {
                BoundedSkip.Skip(ref r, ProtocolConstants.MaxNestingDepth);
            }

            rows.Add(row);
        }

        var rejections = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!r.End)
        {
            var reasons = r.ReadMapHeader();
            for (var i = 0; i < reasons; i++)
            {
                rejections[r.ReadString() ?? string.Empty] = r.ReadInt64();
            }
        }

        var heartbeats = r.End ? 0 : r.ReadInt64();
        return new BrokerStats(pid, uptime, published, delivered, dropped, rows)
        {
            Rejections = rejections.Count == 0 ? BrokerStats.NoRejections : rejections,
            Heartbeats = heartbeats,
        };
    });

    /// <summary>Decodes an EVT: fills <paramref name="sids"/> and returns the event (payload copied out of the receive buffer).</summary>
    /// <exception cref="ProtocolException">The body is not a valid EVT.</exception>
    public static BusEvent ReadEvent(ReadOnlySequence<byte> body, List<uint> sids) => ReadEvent(body, sids, null, null);

    /// <summary>Decodes an EVT, reusing the topic and type strings of the previous event when their bytes repeat.</summary>
    public static BusEvent ReadEvent(ReadOnlySequence<byte> body, List<uint> sids, RecentStrings? topics, RecentStrings? types)
        => body.IsSingleSegment && EvtSpanDecoder.TryRead(body.FirstSpan, sids, topics, types, out var fast)
            ? fast!
            : ReadEventGeneral(body, sids, topics, types);

    /// <summary>The general EVT reader: every encoding, every error worded; <see cref="EvtSpanDecoder"/> defers to it.</summary>
    internal static BusEvent ReadEventGeneral(ReadOnlySequence<byte> body, List<uint> sids, RecentStrings? topics, RecentStrings? types)
    {
        sids.Clear();
        try
        {
            var r = new MessagePackReader(body);
            var elements = r.ReadArrayHeader();
            if (elements is not (8 or 9) || r.ReadInt32() != (int)FrameKind.Evt)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "EVT must be an array of 8 (9 with a trace) starting with 7");
            }

            var count = r.ReadArrayHeader();
            for (var i = 0; i < count; i++)
            {
                sids.Add(r.ReadUInt32());
            }

            var topic = ReadString(ref r, topics) ?? throw new ProtocolException(BusErrorCode.BadFrame, "EVT topic is nil");
            if (r.ReadArrayHeader() != 3)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "EVT publisher must be [pid, uid, gid]");
            }

            var publisher = new PeerCredentials(r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            var type = ReadString(ref r, types);
            var id = r.ReadString();
            if (id is not null && !EventId.IsValid(id))
            {
                // As the NATS receiver (BusCodec.Envelope): the broker checks only that an id is a string, and an id
                // reaches logs, activity tags and de-duplication, so an event without a well-formed one is dropped.
                throw new ProtocolException(BusErrorCode.BadFrame, $"EVT id ({id.Length} characters) is not 32 lowercase hex characters");
            }

            var ts = r.ReadDouble();
            if (r.NextMessagePackType != MessagePackType.Map)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "EVT payload is not a map");
            }

            var rest = body.Slice(r.Position);
            byte[] payload;
            if (rest.IsSingleSegment)
            {
                var length = MessagePackScan.Measure(rest.FirstSpan, ProtocolConstants.MaxNestingDepth);
                payload = length >= 0
                    ? rest.FirstSpan[..length].ToArray()
                    : throw new ProtocolException(BusErrorCode.BadFrame, "malformed EVT: the payload is truncated or uses a reserved byte");
                r = new MessagePackReader(rest.Slice(length));
            }
            else
            {
                var payloadStart = r.Position;
                BoundedSkip.Skip(ref r, ProtocolConstants.MaxNestingDepth);
                payload = body.Slice(payloadStart, r.Position).ToArray();
            }

            // The optional ninth element (docs/wire-protocol.md §3): an invalid trace is dropped, the event kept.
            var trace = default(TraceContext);
            if (elements == 9 && BusCodec.ReadTrace(ref r, out trace) is { } traceError)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, $"malformed EVT trace: {traceError}");
            }

            return new BusEvent(topic, payload, type, id, ts, BusEvent.CurrentVersion, publisher) { TraceParent = trace.Parent, TraceState = trace.State };
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"malformed EVT: {FrameReader.MalformedField}");
        }
    }

    /// <summary>Checks a PUB tail (<see cref="PublishTailValidator.Validate(ReadOnlySequence{byte})"/>).</summary>
    /// <returns>True when the tail ends with a <c>trace</c> map (the EVT then has 9 elements, docs/wire-protocol.md §3).</returns>
    /// <exception cref="ProtocolException">The tail is malformed.</exception>
    public static bool ValidatePublishTail(ReadOnlySequence<byte> tail) => PublishTailValidator.Validate(tail);

    private static string? ReadString(ref MessagePackReader reader, RecentStrings? recent)
    {
        if (recent is null || reader.NextMessagePackType != MessagePackType.String)
        {
            return reader.ReadString();
        }

        var utf8 = reader.ReadStringSequence()!.Value;
        return utf8.IsSingleSegment ? recent.Get(utf8.FirstSpan) : Encoding.UTF8.GetString(utf8);
    }

    private static T Decode<T>(ReadOnlySequence<byte> body, FrameKind kind, int minCount, FieldReader<T> read)
    {
        try
        {
            var r = new MessagePackReader(body);
            var count = r.ReadArrayHeader();
            if (count < minCount || r.ReadInt32() != (int)kind)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, $"{FrameReader.Name(kind)} needs at least {minCount} elements");
            }

            return read(ref r);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"malformed {FrameReader.Name(kind)}: {FrameReader.MalformedField}");
        }
    }

    /// <summary>Reads any MessagePack integer (uint64 included), saturated to the <see cref="int"/> range.</summary>
    private static int ReadSaturatedInt32(ref MessagePackReader reader)
    {
        if (reader.NextCode == MessagePackCode.UInt64)
        {
            return (int)Math.Min(reader.ReadUInt64(), int.MaxValue);
        }

        return (int)Math.Clamp(reader.ReadInt64(), int.MinValue, int.MaxValue);
    }

    private delegate T FieldReader<T>(ref MessagePackReader reader);
}
