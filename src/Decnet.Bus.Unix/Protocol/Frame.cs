using System.Buffers;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// One parsed frame. Only the header fields the broker routes on are read (<see cref="Sid"/>, <see cref="Topic"/>);
/// everything else stays as slices of the receive buffer, valid until the buffer is advanced.
/// </summary>
internal readonly struct Frame(FrameKind kind, ReadOnlySequence<byte> body, uint sid, ReadOnlySequence<byte> topic, ReadOnlySequence<byte> tail, int elements = 0)
{
    /// <summary>The frame kind.</summary>
    public FrameKind Kind { get; } = kind;

    /// <summary>The whole MessagePack array (without the length prefix).</summary>
    public ReadOnlySequence<byte> Body { get; } = body;

    /// <summary>SUB, SUBACK, UNSUB: the subscription id.</summary>
    public uint Sid { get; } = sid;

    /// <summary>PUB: the topic; SUB: the pattern. UTF-8 bytes without the MessagePack string header.</summary>
    public ReadOnlySequence<byte> Topic { get; } = topic;

    /// <summary>PUB: the encoded <c>type, id, ts, payload</c> elements, forwarded byte for byte in EVT.</summary>
    public ReadOnlySequence<byte> Tail { get; } = tail;

    /// <summary>PUB: the element count its array header declares (6, or 7 with a trace), checked against the tail.</summary>
    public int Elements { get; } = elements;
}
