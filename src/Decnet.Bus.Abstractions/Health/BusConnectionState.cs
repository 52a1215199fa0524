namespace Decnet.Bus;

/// <summary>Where a connected transport stands with its broker (<see cref="IBusConnectionStatus"/>).</summary>
public enum BusConnectionState
{
    /// <summary>Nothing asked for the bus yet: transports connect on first publish or subscribe.</summary>
    Idle,

    /// <summary>The first connection attempt is under way.</summary>
    Connecting,

    /// <summary>Connected (and handshaken) to the broker.</summary>
    Connected,

    /// <summary>The broker is unreachable or the connection was lost; the transport is reconnecting with backoff.</summary>
    Disconnected,
}
