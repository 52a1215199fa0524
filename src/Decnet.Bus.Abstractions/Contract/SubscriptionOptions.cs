namespace Decnet.Bus;

/// <summary>Per-subscription settings.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The default queue capacity, in events.</summary>
    public const int DefaultQueueSize = 1024;

    /// <summary>Capacity of the subscription's queue; when full, the oldest event is dropped and counted.</summary>
    public int QueueSize { get; init; } = DefaultQueueSize;
}
