using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Checks the tail of a PUB (<c>type, id, ts, payload</c>, optionally <c>trace</c>) the broker forwards byte for byte in EVT
/// (docs/wire-protocol.md, PUB): split out of <see cref="FrameDecoder"/>, which decodes frames consumed whole.
/// </summary>
internal static class PublishTailValidator
{
    /// <summary>How deep a PUB's trace map may nest: it holds strings, so anything deeper is not a trace.</summary>
    private const int _traceDepth = 2;

    /// <summary>
    /// Checks a PUB tail (<c>type, id, ts, payload</c>, optionally <c>trace</c>) without decoding the payload: right
    /// types, one map, then at most a trace map, nothing after. The broker forwards the tail byte for byte, so this is
    /// what keeps one bad publisher from breaking every receiver.
    /// </summary>
    /// <returns>True when the tail ends with a <c>trace</c> map (the EVT then has 9 elements, docs/wire-protocol.md §3).</returns>
    /// <exception cref="ProtocolException">The tail is malformed.</exception>
    public static bool Validate(ReadOnlySequence<byte> tail)
    {
        if (tail.IsSingleSegment)
        {
            return Validate(tail.FirstSpan);
        }

        try
        {
            var r = new MessagePackReader(tail);
            if (r.NextMessagePackType != MessagePackType.String)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB type is not a string");
            }

            var type = r.ReadStringSequence()!.Value;
            CheckType(type.IsSingleSegment ? type.FirstSpan : type.ToArray());
            if (r.NextMessagePackType != MessagePackType.String)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB id is not a string");
            }

            r.Skip();
            if (r.NextMessagePackType != MessagePackType.Float)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB ts is not a float");
            }

            CheckTimestamp(r.ReadDouble());
            if (r.NextMessagePackType != MessagePackType.Map)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB payload is not a map");
            }

            // The map's own keys must be strings (§3: "a map with string keys"); its values are opaque.
            var entries = r.ReadMapHeader();
            for (var i = 0; i < entries; i++)
            {
                if (r.NextMessagePackType != MessagePackType.String)
                {
                    throw new ProtocolException(BusErrorCode.BadFrame, FrameDecoder.NonStringKey);
                }

                r.Skip();
                BoundedSkip.Skip(ref r, ProtocolConstants.MaxNestingDepth - 1);
            }

            if (r.End)
            {
                return false;
            }

            if (r.NextMessagePackType != MessagePackType.Map)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB has trailing bytes");
            }

            BoundedSkip.Skip(ref r, _traceDepth);
            if (!r.End)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, "PUB has trailing bytes");
            }

            return true;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"malformed PUB: {FrameReader.MalformedField}");
        }
    }

    /// <summary>The same checks over a contiguous tail, by byte inspection (the broker's per-publish hot path).</summary>
    /// <exception cref="ProtocolException">The tail is malformed.</exception>
    public static bool Validate(ReadOnlySpan<byte> tail)
    {
        var offset = 0;
        if (tail.IsEmpty || !MessagePackScan.IsString(tail[0]))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "PUB type is not a string");
        }

        if (!MessagePackScan.TryReadString(tail, ref offset, out var type, out _))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "malformed PUB: PUB type is truncated");
        }

        CheckType(type);
        offset = Expect(tail, offset, MessagePackScan.IsString, "PUB id is not a string");
        var ts = offset;
        offset = Expect(tail, offset, static code => code is 0xca or 0xcb, "PUB ts is not a float");
        CheckTimestamp(tail[ts] == 0xcb
            ? BinaryPrimitives.ReadDoubleBigEndian(tail[(ts + 1)..])
            : BinaryPrimitives.ReadSingleBigEndian(tail[(ts + 1)..]));
        if (offset >= tail.Length || !MessagePackScan.IsMap(tail[offset]))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "PUB payload is not a map");
        }

        var length = MeasureStringKeyedMap(tail[offset..]);
        if (length < 0)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "malformed PUB: the payload is truncated or uses a reserved byte");
        }

        offset += length;
        if (offset == tail.Length)
        {
            return false;
        }

        // The optional trace (docs/wire-protocol.md §3): one map; the receivers read what they know of it.
        var trace = MessagePackScan.IsMap(tail[offset]) ? MessagePackScan.Measure(tail[offset..], _traceDepth) : -1;
        if (trace < 0 || offset + trace != tail.Length)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "PUB has trailing bytes");
        }

        return true;
    }

    /// <summary>Refuses a type that carries a control character: it would forge lines wherever the type is printed.</summary>
    /// <exception cref="ProtocolException">The type contains a control character (ERR 1).</exception>
    private static void CheckType(ReadOnlySpan<byte> utf8)
    {
        var control = Utf8Controls.FirstControl(utf8);
        if (control >= 0)
        {
            throw new ProtocolException(
                BusErrorCode.BadFrame,
                $"PUB type \"{UntrustedText.Excerpt(Encoding.UTF8.GetString(utf8))}\" contains a control character (U+{control:X4}); a type is one line of text");
        }
    }

    /// <summary>
    /// Measures the payload map at the start of <paramref name="map"/> like <see cref="MessagePackScan.Measure"/> with
    /// the payload nesting limit, checking that each of its own keys is a string; -1 when truncated.
    /// </summary>
    private static int MeasureStringKeyedMap(ReadOnlySpan<byte> map)
    {
        long entries;
        int at;
        switch (map[0])
        {
            case <= 0x8f:
                entries = map[0] & 0x0f;
                at = 1;
                break;
            case 0xde when map.Length >= 3:
                entries = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(map[1..]);
                at = 3;
                break;
            case 0xdf when map.Length >= 5:
                entries = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(map[1..]);
                at = 5;
                break;
            default:
                return -1;
        }

        for (var i = 0L; i < entries; i++)
        {
            if (at >= map.Length)
            {
                return -1;
            }

            if (!MessagePackScan.IsString(map[at]))
            {
                throw new ProtocolException(BusErrorCode.BadFrame, FrameDecoder.NonStringKey);
            }

            var key = MessagePackScan.Measure(map[at..], 0);
            if (key < 0)
            {
                return -1;
            }

            at += key;
            var value = at < map.Length ? MessagePackScan.Measure(map[at..], ProtocolConstants.MaxNestingDepth - 1) : -1;
            if (value < 0)
            {
                return -1;
            }

            at += value;
        }

        return at;
    }

    /// <summary>
    /// A <c>ts</c> must be finite: the text protocol's envelope promises subscribers a JSON float, and JSON has no NaN
    /// or Infinity (docs/wire-protocol.md §3).
    /// </summary>
    private static void CheckTimestamp(double ts)
    {
        if (!double.IsFinite(ts))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "PUB ts is not a finite number");
        }
    }

    /// <summary>Checks the kind of the value at <paramref name="offset"/> and returns the offset after it.</summary>
    private static int Expect(ReadOnlySpan<byte> tail, int offset, Func<byte, bool> kind, string wrongKind)
    {
        if (offset >= tail.Length || !kind(tail[offset]))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, wrongKind);
        }

        var length = MessagePackScan.Measure(tail[offset..], 0);
        return length >= 0
            ? offset + length
            : throw new ProtocolException(BusErrorCode.BadFrame, $"malformed PUB: {wrongKind[..wrongKind.IndexOf(" is", StringComparison.Ordinal)]} is truncated");
    }
}
