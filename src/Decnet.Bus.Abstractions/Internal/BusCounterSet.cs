using System.Diagnostics;

namespace Decnet.Bus.Internal;

/// <summary>Thread-safe counters of one bus instance, mirrored to the <c>Decnet.Bus</c> meter.</summary>
internal sealed class BusCounterSet
{
    private readonly TagList _tags;
    private long _published;
    private long _delivered;
    private long _dropped;

    public BusCounterSet(string transport) => _tags = new TagList { { "transport", transport } };

    public BusCounters Snapshot => new(Volatile.Read(ref _published), Volatile.Read(ref _delivered), Volatile.Read(ref _dropped));

    public void AddPublished(long count = 1)
    {
        Interlocked.Add(ref _published, count);
        BusMetrics.Published.Add(count, _tags);
    }

    public void AddDelivered(long count = 1)
    {
        Interlocked.Add(ref _delivered, count);
        BusMetrics.Delivered.Add(count, _tags);
    }

    public void AddDropped(long count = 1)
    {
        Interlocked.Add(ref _dropped, count);
        BusMetrics.Dropped.Add(count, _tags);
    }
}
