namespace Decnet.Bus.Internal;

/// <summary>
/// Thread-safe counters of one bus instance. The <c>Decnet.Bus</c> meter observes them (<see cref="BusMetrics"/>), so a
/// publish costs three interlocked adds at most and no meter call.
/// </summary>
internal sealed class BusCounterSet
{
    private long _published;
    private long _delivered;
    private long _dropped;

    /// <param name="transport">The transport name; kept for the callers' readability (the meter tags by registration).</param>
    public BusCounterSet(string transport) => Transport = transport;

    public string Transport { get; }

    public BusCounters Snapshot => new(Volatile.Read(ref _published), Volatile.Read(ref _delivered), Volatile.Read(ref _dropped));

    public void AddPublished(long count = 1) => Interlocked.Add(ref _published, count);

    public void AddDelivered(long count = 1) => Interlocked.Add(ref _delivered, count);

    public void AddDropped(long count = 1) => Interlocked.Add(ref _dropped, count);
}
