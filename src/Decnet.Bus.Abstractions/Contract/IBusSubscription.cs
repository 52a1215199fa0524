namespace Decnet.Bus;

/// <summary>
/// A live subscription: an async stream of <see cref="BusEvent"/>s backed by a bounded drop-oldest queue.
/// Disposing it completes every pending enumeration promptly.
/// </summary>
/// <remarks>Enumerate it from one consumer at a time; events are handed out once.</remarks>
public interface IBusSubscription : IAsyncEnumerable<BusEvent>, IAsyncDisposable
{
    /// <summary>The pattern this subscription was created with.</summary>
    string Pattern { get; }

    /// <summary>Events that reached this subscription's queue, including ones dropped later.</summary>
    long Received { get; }

    /// <summary>Events discarded because the queue was full (the oldest goes first).</summary>
    long Dropped { get; }

    /// <summary>
    /// How many times the transport re-established this subscription after losing its connection. Each increment
    /// means events may have been missed: poll the database.
    /// </summary>
    long Reconnected { get; }
}
