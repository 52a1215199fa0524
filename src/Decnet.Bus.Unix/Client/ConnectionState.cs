namespace Decnet.Bus.Unix;

/// <summary>Where a <see cref="UnixSocketBus"/> stands with its broker.</summary>
internal enum ConnectionState
{
    /// <summary>Not connected yet, first attempt pending: publishes are queued.</summary>
    Connecting,

    /// <summary>Handshaken: publishes are queued and sent.</summary>
    Connected,

    /// <summary>An attempt failed or the connection was lost: publishes are dropped and counted until it is back.</summary>
    Down,
}
