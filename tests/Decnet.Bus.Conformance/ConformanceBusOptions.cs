namespace Decnet.Bus.Conformance;

/// <summary>What a conformance test asks of a bus client it creates.</summary>
public sealed record ConformanceBusOptions
{
    /// <summary>Whether the client's own publishes reach its own subscriptions.</summary>
    public bool Echo { get; init; } = true;

    /// <summary>Default queue size for the client's subscriptions (and, in a broker, its connection queue).</summary>
    public int QueueSize { get; init; } = SubscriptionOptions.DefaultQueueSize;

    /// <summary>A name for diagnostics.</summary>
    public string Name { get; init; } = "conformance";
}
