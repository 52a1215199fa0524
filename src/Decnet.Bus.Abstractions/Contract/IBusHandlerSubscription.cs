namespace Decnet.Bus;

/// <summary>
/// A live handler subscription: its events are queued (bounded, drop-oldest, exact counts, like
/// <see cref="IBusSubscription"/>) and handed to its <see cref="BusEventHandler"/> one at a time, in order, by the
/// bus's delivery loop. Disposing it stops further calls.
/// </summary>
public interface IBusHandlerSubscription : IAsyncDisposable
{
    /// <summary>The pattern this subscription was created with.</summary>
    string Pattern { get; }

    /// <summary>Events that reached this subscription's queue, including ones dropped later.</summary>
    long Received { get; }

    /// <summary>Events discarded because the queue was full (the oldest goes first).</summary>
    long Dropped { get; }

    /// <summary>How many times the transport re-established this subscription after losing its connection.</summary>
    long Reconnected { get; }

    /// <summary>Handler calls that threw (each is logged; the subscription carries on with the next event).</summary>
    long Failed { get; }
}
