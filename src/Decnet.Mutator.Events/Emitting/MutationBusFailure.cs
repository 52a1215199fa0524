namespace Decnet.Mutator.Events;

/// <summary>Why the event was not published (<see cref="MutationEmitResult.PublishFailure"/>).</summary>
public enum MutationBusFailure
{
    /// <summary>Handed to the transport, which did not report dropping it (delivery is at-most-once).</summary>
    None,

    /// <summary>The bus is disabled (<c>NullBus</c>, <c>DECNET_BUS_ENABLED=false</c> or no bus registered).</summary>
    Disabled,

    /// <summary>
    /// The caller's token was cancelled after the line was handled and before the bus took the event: nothing was
    /// handed to the transport (the emitter never passes the token into a publish: cancelling would not take it back).
    /// </summary>
    Canceled,

    /// <summary>The bus was disposed.</summary>
    Disposed,

    /// <summary>The transport threw.</summary>
    Transport,

    /// <summary>
    /// The transport took the event and dropped it, counting it in <c>IBus.Counters.Dropped</c> instead of throwing:
    /// the broker is unreachable (a transport that reports its connection, <c>IBusConnectionStatus</c>).
    /// </summary>
    Dropped,
}
