namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One publishing connection's routes by topic bytes (docs/performance-history.md, "Hot path redesign (issue 14),
/// part 2"): a stream of events on a few topics is validated, checked against the ACL and matched once per topic, not
/// once per event. Every entry is for one routing-table generation; the first look-up after any SUB, UNSUB or
/// disconnect empties the cache. Bounded per connection (<see cref="BudgetBytes"/>) and for all connections together
/// (<see cref="BrokerLimits.MaxTotalRouteCacheBytes"/>, counted in <see cref="BrokerHub"/>): past either, new topics
/// are routed without being cached.
/// </summary>
internal sealed class RouteCache
{
    internal const int BudgetBytes = 2 * 1024 * 1024;

    private readonly BrokerHub _hub;
    private readonly Dictionary<byte[], RouteEntry> _entries = new(TopicBytesComparer.Instance);
    private readonly Dictionary<byte[], RouteEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _generation = -1;
    private long _bytes;
    private byte[]? _lastKey;
    private RouteEntry? _last;

    public RouteCache(BrokerHub hub)
    {
        _hub = hub;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>
    /// The cached entry for <paramref name="topic"/> at <paramref name="generation"/>. Returns false after emptying
    /// the cache when the generation moved on.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> topic, long generation, out RouteEntry entry)
    {
        if (generation != _generation)
        {
            Clear();
            _generation = generation;
            entry = null!;
            return false;
        }

        if (_last is not null && topic.SequenceEqual(_lastKey))
        {
            entry = _last;
            return true;
        }

        if (_lookup.TryGetValue(topic, out var key, out entry!))
        {
            _last = entry;
            _lastKey = key;
            return true;
        }

        return false;
    }

    /// <summary>Caches <paramref name="entry"/> unless the budget is spent; returns the entry to route with.</summary>
    public RouteEntry Add(ReadOnlySpan<byte> topic, RouteEntry entry)
    {
        var cost = topic.Length + entry.Footprint;
        var limits = _hub.Limits;
        if (entry.Generation != _generation || _bytes + cost > BudgetBytes || _hub.RouteCacheBytes + cost > limits.MaxTotalRouteCacheBytes)
        {
            return entry;
        }

        var cached = entry.Trimmed();
        var key = topic.ToArray();
        _entries[key] = cached;
        _bytes += cost;
        _hub.AddRouteCacheBytes(cost);
        _last = cached;
        _lastKey = key;
        return cached;
    }

    /// <summary>Forgets every entry (a new routing-table generation, or the connection ended).</summary>
    public void Clear()
    {
        if (_bytes > 0)
        {
            _hub.AddRouteCacheBytes(-_bytes);
        }

        _entries.Clear();
        _bytes = 0;
        _last = null;
        _lastKey = null;
    }

    private sealed class TopicBytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly TopicBytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
