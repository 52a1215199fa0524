namespace Decnet.Bus.Unix.Sending;

/// <summary>Why a <see cref="SocketWriter"/>'s send loop ended.</summary>
internal enum SendEnd
{
    /// <summary>The final frame was sent and the socket half-closed.</summary>
    Final,

    /// <summary>Cancelled, or the socket broke or was closed.</summary>
    Aborted,

    /// <summary>The peer took no bytes within the stall timeout: it stopped reading.</summary>
    Stalled,
}
