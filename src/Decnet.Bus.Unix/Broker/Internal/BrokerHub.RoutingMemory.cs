namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The broker-wide counts of what publishing connections keep for routing between reads: their routing buffers
/// (<see cref="EventStaging"/>) and their route caches (<see cref="RouteCache"/>), each bounded for all connections
/// together (docs/reliability.md, §2), and given back as connections end.
/// </summary>
internal sealed partial class BrokerHub
{
    /// <summary>
    /// The most routing buffers all publishing connections together keep between reads (<see cref="ReadBatch.Complete"/>):
    /// past it, each gives all of its back after every read, so the product of publishers and destinations, each pair
    /// with an ordinary-sized buffer, cannot grow without bound.
    /// </summary>
    internal const long StagingBudgetBytes = 64L << 20;

    private long _stagingBytes;
    private long _routeCacheBytes;

    /// <summary>Bytes the routing buffers of every publishing connection hold now (<see cref="EventStaging"/>).</summary>
    public long StagingBytes => Volatile.Read(ref _stagingBytes);

    /// <summary>Bytes every publishing connection's route cache holds now (<see cref="RouteCache"/>).</summary>
    public long RouteCacheBytes => Volatile.Read(ref _routeCacheBytes);

    /// <summary>Counts route cache bytes added (positive) or forgotten (negative); once per topic cached, not per event.</summary>
    public void AddRouteCacheBytes(long delta) => Interlocked.Add(ref _routeCacheBytes, delta);

    /// <summary>Counts routing buffer bytes rented (positive) or given back (negative); only when a buffer changes size.</summary>
    public void AddStagingBytes(long delta) => Interlocked.Add(ref _stagingBytes, delta);
}
