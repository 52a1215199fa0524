namespace Decnet.Bus.Unix.Protocol;

/// <summary>Fixed protocol values (docs/wire-protocol.md).</summary>
internal static class ProtocolConstants
{
    /// <summary>The protocol version this library speaks.</summary>
    public const int Version = 1;

    /// <summary>Size of the big-endian length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>
    /// Largest queue size a client may request in HELLO; also the largest <c>DECNET_BUS_QUEUE_SIZE</c>.
    /// </summary>
    public const int MaxQueueSize = DecnetBusOptionsValidator.MaxQueueSize;

    /// <summary>
    /// Most <c>[sid, count]</c> pairs in one LOST frame: 256 pairs take at most 3.9 KB, below the 4 KiB smallest frame
    /// limit, so a client with any limit accepts them.
    /// </summary>
    public const int MaxLostPerFrame = 256;

    /// <summary>
    /// Smallest frame limit the broker will negotiate down to; also the smallest <c>DECNET_BUS_MAX_FRAME_BYTES</c>.
    /// </summary>
    public const int MinMaxFrame = DecnetBusOptionsValidator.MinFrameBytes;

    /// <summary>Largest outbound backlog, in bytes, one broker connection may hold before the oldest events go.</summary>
    public const long MaxQueuedBytesPerConnection = 16L * 1024 * 1024;

    /// <summary>Deepest nesting of arrays and maps accepted in a payload (the broker checks it without recursion).</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>How long the broker waits for HELLO, and a client for WELCOME.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
}
