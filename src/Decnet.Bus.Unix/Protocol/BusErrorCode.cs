namespace Decnet.Bus.Unix.Protocol;

/// <summary>Codes carried by ERR frames (docs/wire-protocol.md §6). Every ERR is followed by the broker closing the connection.</summary>
internal enum BusErrorCode
{
    /// <summary>The frame is not a valid MessagePack array of a known kind with the right fields.</summary>
    BadFrame = 1,

    /// <summary>The length prefix exceeds the negotiated maximum frame size.</summary>
    FrameTooLarge = 2,

    /// <summary>A PUB topic is invalid or longer than the topic limit.</summary>
    InvalidTopic = 3,

    /// <summary>A SUB pattern is invalid or longer than the topic limit.</summary>
    InvalidPattern = 4,

    /// <summary>The connection already holds the maximum number of subscriptions.</summary>
    TooManySubscriptions = 5,

    /// <summary>The broker already serves the maximum number of connections.</summary>
    TooManyConnections = 6,

    /// <summary>The client speaks a protocol version the broker does not.</summary>
    ProtocolVersion = 7,

    /// <summary>The first frame was not HELLO, or it did not arrive in time.</summary>
    HandshakeRequired = 8,

    /// <summary>The client does not read its control frames (acks, pongs) fast enough.</summary>
    SlowConsumer = 9,

    /// <summary>No complete frame (not even PING) arrived within the idle timeout.</summary>
    IdleTimeout = 10,

    /// <summary>
    /// The connection left the broker's writes pending for longer than the stall timeout (it stopped reading). Counted
    /// and logged; the ERR itself usually cannot be delivered, because the peer's socket buffer is full.
    /// </summary>
    Stalled = 11,

    /// <summary>The peer's uid and gid (SO_PEERCRED) are not on the broker's allow-lists.</summary>
    PermissionDenied = 12,

    /// <summary>
    /// Never sent: counts connections whose first byte is neither <c>0x00</c> (this protocol) nor an ASCII capital
    /// letter (the Python bus's text protocol), closed without a reply (docs/text-protocol.md).
    /// </summary>
    UnknownProtocol = 100,

    /// <summary>
    /// Never sent: counts events dropped because they have no form on the receiver's protocol (docs/text-protocol.md
    /// §2), for example a map with a non-string key for a Python subscriber.
    /// </summary>
    Untranslatable = 101,
}
