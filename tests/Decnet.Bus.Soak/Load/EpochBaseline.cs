namespace Decnet.Bus.Soak.Load;

/// <summary>
/// Counters at the start of an accounting window; the window's counts are deltas from these. Client counters come
/// from the clients, broker counters from the broker's STATS rows (all zero for a broker that has just started).
/// </summary>
internal sealed record EpochBaseline(
    long[] PublishCalls,
    long[] Received,
    long[] Dropped,
    long[] Consumed,
    long[] BrokerPublished,
    long[] BrokerQueued,
    long[] BrokerDropped,
    long[] BrokerEvents,
    long BrokerOwnPublished)
{
    public static EpochBaseline Zero(int publishers, int subscribers)
        => new(new long[publishers], new long[subscribers], new long[subscribers], new long[subscribers], new long[publishers], new long[subscribers], new long[subscribers], new long[subscribers], 0);

    /// <summary>The clients' counters now, with broker counters at zero (a broker that has not started yet).</summary>
    public static EpochBaseline Take(IReadOnlyList<LoadPublisher> publishers, IReadOnlyList<LoadSubscriber> subscribers)
        => Take(ClientCounts.Take(publishers, subscribers), new long[publishers.Count], new long[subscribers.Count], new long[subscribers.Count], 0);

    public static EpochBaseline Take(ClientCounts clients, long[] brokerPublished, long[] brokerQueued, long[] brokerDropped, long brokerOwnPublished)
        => new(clients.PublishCalls, clients.Received, clients.Dropped, clients.Consumed, brokerPublished, brokerQueued, brokerDropped, clients.BrokerEvents, brokerOwnPublished);
}
