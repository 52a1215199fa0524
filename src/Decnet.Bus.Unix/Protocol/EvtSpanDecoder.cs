using System.Buffers.Binary;
using System.Text;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// The subscriber's hot path: decodes an EVT body held in one buffer straight from its bytes, for the encodings a broker
/// writes (and every other compact MessagePack form of the same values). Anything it does not recognise, including
/// every malformed frame, is left to the general <see cref="FrameDecoder.ReadEvent(System.Buffers.ReadOnlySequence{byte}, List{uint}, RecentStrings?, RecentStrings?)"/>
/// path, which decides and words the error; so this class never rejects, it only accepts or declines.
/// </summary>
internal static class EvtSpanDecoder
{
    /// <summary>Decodes <paramref name="body"/>; false (with <paramref name="sids"/> cleared) to let the general reader decide.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, List<uint> sids, RecentStrings? topics, RecentStrings? types, out BusEvent? evt)
        => TryRead(body, sids, topics, types, slab: null, out evt);

    /// <summary>Like the overload above; the payload and id are copied into <paramref name="slab"/> when given.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, List<uint> sids, RecentStrings? topics, RecentStrings? types, EventSlab? slab, out BusEvent? evt)
    {
        if (!TryScan(body, sids, types, out var fields))
        {
            evt = null;
            return false;
        }

        evt = fields.ToEvent(topics?.Get(fields.TopicUtf8) ?? Encoding.UTF8.GetString(fields.TopicUtf8), slab);
        return true;
    }

    /// <summary>
    /// Reads an EVT's fields as views of <paramref name="body"/>, creating no string but the type (and that only when
    /// it differs from the previous event's); false (with <paramref name="sids"/> cleared) to let the general reader
    /// decide.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> body, List<uint> sids, RecentStrings? types, out EvtFields fields)
    {
        fields = default;
        sids.Clear();
        var at = 0;
        if (body.Length < 2 || body[0] != 0x98 || body[1] != (byte)FrameKind.Evt)
        {
            return false;
        }

        at = 2;
        if (!TryArrayHeader(body, ref at, out var count) || count > body.Length - at)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (!TryUInt32(body, ref at, out var sid))
            {
                sids.Clear();
                return false;
            }

            sids.Add(sid);
        }

        if (!MessagePackScan.TryReadString(body, ref at, out var topicUtf8, out var topicNil) || topicNil
            || !TryArrayHeader(body, ref at, out var publisherFields) || publisherFields != 3
            || !TryInt32(body, ref at, out var pid) || !TryInt32(body, ref at, out var uid) || !TryInt32(body, ref at, out var gid)
            || !MessagePackScan.TryReadString(body, ref at, out var typeUtf8, out var typeNil)
            || !MessagePackScan.TryReadString(body, ref at, out var idUtf8, out var idNil)
            || (!idNil && !EventId.IsValidUtf8(idUtf8))
            || !TryDouble(body, ref at, out var ts)
            || at >= body.Length || !MessagePackScan.IsMap(body[at]))
        {
            sids.Clear();
            return false;
        }

        // Measure throws for a payload nested too deep, exactly as the general path's BoundedSkip does.
        var length = MessagePackScan.Measure(body[at..], ProtocolConstants.MaxNestingDepth);
        if (length < 0)
        {
            sids.Clear();
            return false;
        }

        string? type = typeNil ? null : types?.Get(typeUtf8) ?? Encoding.UTF8.GetString(typeUtf8);
        fields = new EvtFields(topicUtf8, type, idUtf8, idNil, ts, new PeerCredentials(pid, uid, gid), body.Slice(at, length));
        return true;
    }

    private static bool TryArrayHeader(ReadOnlySpan<byte> body, ref int at, out int count)
    {
        count = 0;
        if (at >= body.Length)
        {
            return false;
        }

        var code = body[at];
        if (code is >= 0x90 and <= 0x9f)
        {
            count = code & 0x0f;
            at++;
            return true;
        }

        if (code == 0xdc && at + 3 <= body.Length)
        {
            count = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 1)..]);
            at += 3;
            return true;
        }

        return false;
    }

    private static bool TryUInt32(ReadOnlySpan<byte> body, ref int at, out uint value)
    {
        value = 0;
        if (at >= body.Length)
        {
            return false;
        }

        var code = body[at];
        switch (code)
        {
            case <= 0x7f:
                value = code;
                at++;
                return true;
            case 0xcc when at + 2 <= body.Length:
                value = body[at + 1];
                at += 2;
                return true;
            case 0xcd when at + 3 <= body.Length:
                value = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 1)..]);
                at += 3;
                return true;
            case 0xce when at + 5 <= body.Length:
                value = BinaryPrimitives.ReadUInt32BigEndian(body[(at + 1)..]);
                at += 5;
                return true;
            default:
                return false;
        }
    }

    private static bool TryInt32(ReadOnlySpan<byte> body, ref int at, out int value)
    {
        value = 0;
        if (at >= body.Length)
        {
            return false;
        }

        var code = body[at];
        switch (code)
        {
            case <= 0x7f or >= 0xe0:
                value = (sbyte)code;
                at++;
                return true;
            case 0xd0 when at + 2 <= body.Length:
                value = (sbyte)body[at + 1];
                at += 2;
                return true;
            case 0xd1 when at + 3 <= body.Length:
                value = BinaryPrimitives.ReadInt16BigEndian(body[(at + 1)..]);
                at += 3;
                return true;
            case 0xd2 when at + 5 <= body.Length:
                value = BinaryPrimitives.ReadInt32BigEndian(body[(at + 1)..]);
                at += 5;
                return true;
            default:
                // Unsigned forms (0xcc-0xce) and 64-bit ones carry ranges the general reader checks.
                if (TryUInt32(body, ref at, out var unsigned) && unsigned <= int.MaxValue)
                {
                    value = (int)unsigned;
                    return true;
                }

                return false;
        }
    }

    private static bool TryDouble(ReadOnlySpan<byte> body, ref int at, out double value)
    {
        value = 0;
        if (at + 9 <= body.Length && body[at] == 0xcb)
        {
            value = BinaryPrimitives.ReadDoubleBigEndian(body[(at + 1)..]);
            at += 9;
            return true;
        }

        if (at + 5 <= body.Length && body[at] == 0xca)
        {
            value = BinaryPrimitives.ReadSingleBigEndian(body[(at + 1)..]);
            at += 5;
            return true;
        }

        return false;
    }
}
