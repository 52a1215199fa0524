namespace Decnet.Bus.Soak.Load;

/// <summary>
/// The clients' own counters read at one moment: publish calls per publisher; received, dropped, consumed and broker
/// events (<c>system.bus.health</c>) per subscriber.
/// </summary>
internal sealed record ClientCounts(long[] PublishCalls, long[] Received, long[] Dropped, long[] Consumed, long[] BrokerEvents)
{
    public static ClientCounts Take(IReadOnlyList<LoadPublisher> publishers, IReadOnlyList<LoadSubscriber> subscribers)
        => new(
            [.. publishers.Select(p => p.Calls)],
            [.. subscribers.Select(s => s.Received)],
            [.. subscribers.Select(s => s.Dropped)],
            [.. subscribers.Select(s => s.Consumed)],
            [.. subscribers.Select(s => s.BrokerEvents)]);
}
