namespace Decnet.Bus;

/// <summary>
/// Implemented by an <see cref="IBus"/> that holds a connection (the Unix and NATS transports), so the health check
/// (<c>AddHealthChecks().AddDecnetBus()</c>) can tell connected from reconnecting. A bus without it counts as connected.
/// </summary>
public interface IBusConnectionStatus
{
    /// <summary>The connection's current state; reading it has no side effect (it never starts a connection).</summary>
    BusConnectionState State { get; }
}
