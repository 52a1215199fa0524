namespace Decnet.Bus;

/// <summary>Per-subscription settings.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The default queue capacity, in events.</summary>
    public const int DefaultQueueSize = 1024;

    /// <summary>Capacity of the subscription's queue; when full, the oldest event is dropped and counted.</summary>
    public int QueueSize { get; init; } = DefaultQueueSize;

    /// <summary>
    /// Lets a transport with a receive thread of its own (the Unix transport) deliver on that thread. A handler
    /// subscription's handler is called there while nothing is queued for it, skipping the queue and the hand-off to
    /// the delivery loop. An enumerable subscription's consumer, when it awaits <c>MoveNextAsync</c> without a captured
    /// context (<c>ConfigureAwait(false)</c>, or none to capture), resumes there when the next events arrive, and runs
    /// there until it waits again or awaits something not yet complete; a wait that ends before its awaiter is
    /// registered goes on on the consumer's own thread or the thread pool, never the receive thread. Other transports
    /// ignore it.
    /// </summary>
    /// <remarks>
    /// For short handlers and loop bodies that do not block: while one runs, its connection reads nothing, not even the
    /// broker's keepalive, and one that blocks for longer than the broker's stall timeout loses the connection.
    /// A handler that awaits hands its event, and every later one, to the delivery loop and the queue until it is done;
    /// a loop body that awaits goes on where its await completes, and events that arrive meanwhile are queued; so
    /// awaiting I/O (or the bus itself) is safe. Order, drop-oldest and loss counts stay as without it; events lost
    /// while the thread was held are the broker's drops and are reported on the next event
    /// (docs/dotnet-hosts.md, "Inline delivery").
    /// </remarks>
    public bool InlineDelivery { get; init; }
}
