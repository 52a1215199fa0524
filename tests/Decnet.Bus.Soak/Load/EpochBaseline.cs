namespace Decnet.Bus.Soak.Load;

/// <summary>The client counters at the start of a broker lifetime; an epoch's counts are deltas from these.</summary>
internal sealed record EpochBaseline(long[] PublishCalls, long[] Received, long[] Dropped, long[] Consumed)
{
    public static EpochBaseline Zero(int publishers, int subscribers)
        => new(new long[publishers], new long[subscribers], new long[subscribers], new long[subscribers]);

    public static EpochBaseline Take(IReadOnlyList<LoadPublisher> publishers, IReadOnlyList<LoadSubscriber> subscribers)
        => new(
            [.. publishers.Select(p => p.Calls)],
            [.. subscribers.Select(s => s.Received)],
            [.. subscribers.Select(s => s.Dropped)],
            [.. subscribers.Select(s => s.Consumed)]);
}
