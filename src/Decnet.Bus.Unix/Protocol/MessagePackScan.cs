using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Measures one MessagePack value in a contiguous buffer without decoding it: the hot-path twin of
/// <see cref="BoundedSkip"/> (same nesting limit, same verdicts), a table walk over bytes instead of a
/// <c>MessagePackReader</c> over a sequence. Every receive buffer that holds a whole frame in one segment takes this path.
/// </summary>
internal static class MessagePackScan
{
    /// <summary>Returns the encoded length of the value at the start of <paramref name="data"/>, or -1 when it is truncated or uses the reserved byte 0xc1.</summary>
    /// <exception cref="ProtocolException">The value nests deeper than <paramref name="maxDepth"/>.</exception>
    [SkipLocalsInit] // remaining[d] is written before it is read; zeroing 65 longs per call was most of its cost
    public static int Measure(ReadOnlySpan<byte> data, int maxDepth)
    {
        // Most values are scalars (map keys, numbers, strings, binaries): no stack of counts for them.
        if (!TryHead(data, out var scalarLength, out var scalarChildren))
        {
            return -1;
        }

        if (scalarChildren == 0)
        {
            return scalarLength;
        }

        // remaining[d] = values still to read at depth d; depth 0 is the value itself.
        Span<long> remaining = stackalloc long[maxDepth + 1];
        remaining[0] = 1;
        var depth = 0;
        var offset = 0;
        while (depth >= 0)
        {
            if (remaining[depth] == 0)
            {
                depth--;
                continue;
            }

            remaining[depth]--;
            if (!TryHead(data[offset..], out var headLength, out var children))
            {
                return -1;
            }

            offset += headLength;
            if (children == 0)
            {
                continue;
            }

            if (depth == maxDepth)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, $"value nests deeper than {maxDepth} levels");
            }

            // Every child takes at least one byte: a count the buffer cannot hold is a truncation, found now.
            if (children > data.Length - offset)
            {
                return -1;
            }

            remaining[++depth] = children;
        }

        return offset;
    }

    /// <summary>True for a string head: fixstr, str8, str16 or str32.</summary>
    public static bool IsString(byte code) => code is (>= 0xa0 and <= 0xbf) or 0xd9 or 0xda or 0xdb;

    /// <summary>True for a map head: fixmap, map16 or map32.</summary>
    public static bool IsMap(byte code) => code is (>= 0x80 and <= 0x8f) or 0xde or 0xdf;

    /// <summary>
    /// Reads a string (or nil) at <paramref name="at"/> and moves past it; false, without moving, when the bytes there
    /// are not a whole string or nil.
    /// </summary>
    public static bool TryReadString(ReadOnlySpan<byte> body, scoped ref int at, out ReadOnlySpan<byte> utf8, out bool nil)
    {
        utf8 = default;
        nil = false;
        if (at >= body.Length)
        {
            return false;
        }

        var code = body[at];
        int start;
        long length;
        switch (code)
        {
            case 0xc0:
                nil = true;
                at++;
                return true;
            case >= 0xa0 and <= 0xbf:
                start = at + 1;
                length = code & 0x1f;
                break;
            case 0xd9 when at + 2 <= body.Length:
                start = at + 2;
                length = body[at + 1];
                break;
            case 0xda when at + 3 <= body.Length:
                start = at + 3;
                length = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 1)..]);
                break;
            case 0xdb when at + 5 <= body.Length:
                start = at + 5;
                length = BinaryPrimitives.ReadUInt32BigEndian(body[(at + 1)..]);
                break;
            default:
                return false;
        }

        if (start + length > body.Length)
        {
            return false;
        }

        utf8 = body.Slice(start, (int)length);
        at = start + (int)length;
        return true;
    }

    /// <summary>
    /// Reads one value's head: how many bytes the value takes apart from its children (all of it for a scalar), and
    /// how many child values follow (array elements, or keys plus values of a map).
    /// </summary>
    private static bool TryHead(ReadOnlySpan<byte> data, out int length, out long children)
    {
        length = 0;
        children = 0;
        if (data.IsEmpty)
        {
            return false;
        }

        var code = data[0];
        long body;
        switch (code)
        {
            case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3:
                length = 1;
                return true;
            case <= 0x8f:
                length = 1;
                children = 2L * (code & 0x0f);
                return true;
            case <= 0x9f:
                length = 1;
                children = code & 0x0f;
                return true;
            case <= 0xbf:
                body = 1 + (code & 0x1f);
                break;
            case 0xc4 or 0xd9:
                body = data.Length < 2 ? -1 : 2L + data[1];
                break;
            case 0xc5 or 0xda:
                body = data.Length < 3 ? -1 : 3L + BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
                break;
            case 0xc6 or 0xdb:
                body = data.Length < 5 ? -1 : 5L + BinaryPrimitives.ReadUInt32BigEndian(data[1..]);
                break;
            case 0xc7:
                body = data.Length < 2 ? -1 : 3L + data[1];
                break;
            case 0xc8:
                body = data.Length < 3 ? -1 : 4L + BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
                break;
            case 0xc9:
                body = data.Length < 5 ? -1 : 6L + BinaryPrimitives.ReadUInt32BigEndian(data[1..]);
                break;
            case 0xca or 0xce or 0xd2:
                body = 5;
                break;
            case 0xcb or 0xcf or 0xd3:
                body = 9;
                break;
            case 0xcc or 0xd0:
                body = 2;
                break;
            case 0xcd or 0xd1:
                body = 3;
                break;
            case 0xd4:
                body = 3;
                break;
            case 0xd5:
                body = 4;
                break;
            case 0xd6:
                body = 6;
                break;
            case 0xd7:
                body = 10;
                break;
            case 0xd8:
                body = 18;
                break;
            case 0xdc or 0xde:
                if (data.Length < 3)
                {
                    return false;
                }

                length = 3;
                children = BinaryPrimitives.ReadUInt16BigEndian(data[1..]) * (code == 0xde ? 2L : 1L);
                return true;
            case 0xdd or 0xdf:
                if (data.Length < 5)
                {
                    return false;
                }

                length = 5;
                children = BinaryPrimitives.ReadUInt32BigEndian(data[1..]) * (code == 0xdf ? 2L : 1L);
                return true;
            default:
                // 0xc1 is reserved ("never used") in the MessagePack spec.
                return false;
        }

        if (body < 0 || body > data.Length)
        {
            return false;
        }

        length = (int)body;
        return true;
    }
}
