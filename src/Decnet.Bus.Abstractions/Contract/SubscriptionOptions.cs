namespace Decnet.Bus;

/// <summary>Per-subscription settings.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The default queue capacity, in events.</summary>
    public const int DefaultQueueSize = 1024;

    /// <summary>Capacity of the subscription's queue; when full, the oldest event is dropped and counted.</summary>
    public int QueueSize { get; init; } = DefaultQueueSize;

    /// <summary>
    /// For a handler subscription: lets a transport with a receive thread of its own (the Unix transport) call the
    /// handler on that thread while nothing is queued for it, skipping the queue and the hand-off to the delivery loop.
    /// Other transports, and the enumerable form, ignore it.
    /// </summary>
    /// <remarks>
    /// For short handlers that do not block: while one runs, its connection reads nothing, not even the broker's
    /// keepalive, and a handler that blocks for longer than the broker's stall timeout loses the connection.
    /// A handler that awaits hands its event, and every later one, to the delivery loop and the queue until it is done,
    /// so awaiting I/O (or the bus itself) is safe. Order, drop-oldest and loss counts stay as without it; events lost
    /// while a handler held the thread are the broker's drops and are reported on the next event
    /// (docs/dotnet-hosts.md, "Inline delivery").
    /// </remarks>
    public bool InlineDelivery { get; init; }
}
