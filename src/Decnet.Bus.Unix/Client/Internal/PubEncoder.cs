using System.Buffers.Binary;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The client's hot-path PUB encoder: byte-identical to <see cref="FrameWriter.WritePub{T}"/>, but writes the id
/// straight into the frame as UTF-8 hex (no string per event) and lets the codec skip validation for payload types
/// it already knows serialize as string-keyed maps.
/// </summary>
internal static class PubEncoder
{
    private const byte _fixArray6 = 0x96;
    private const byte _str8 = 0xd9;
    private const byte _float64 = 0xcb;

    /// <summary>Appends one PUB frame with a fresh id to <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    public static void Write<T>(PooledBufferWriter buffer, string topic, string type, double timestamp, T payload)
    {
        var start = buffer.WrittenCount;
        var head = buffer.GetSpan(ProtocolConstants.HeaderSize + 2);
        head[ProtocolConstants.HeaderSize] = _fixArray6;
        head[ProtocolConstants.HeaderSize + 1] = (byte)FrameKind.Pub;
        buffer.Advance(ProtocolConstants.HeaderSize + 2);

        var writer = new MessagePackWriter(buffer);
        writer.Write(topic);
        writer.Write(type);
        writer.Flush();

        var fixedPart = buffer.GetSpan(2 + EventId.Length + 9);
        fixedPart[0] = _str8;
        fixedPart[1] = EventId.Length;
        EventId.WriteNewIdUtf8(fixedPart.Slice(2, EventId.Length));
        fixedPart[2 + EventId.Length] = _float64;
        BinaryPrimitives.WriteDoubleBigEndian(fixedPart[(3 + EventId.Length)..], timestamp);
        buffer.Advance(2 + EventId.Length + 9);

        BusCodec.WritePayload(buffer, payload);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.WrittenSpan[start..], (uint)(buffer.WrittenCount - start - ProtocolConstants.HeaderSize));
    }
}
