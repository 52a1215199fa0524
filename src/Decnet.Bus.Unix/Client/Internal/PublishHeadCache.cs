using System.Collections.Concurrent;
using System.Text;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The encoded PUB heads of the topics and types a process has published, so a publisher that moves between many
/// topics (one per decky, say) validates and encodes each once, not once per event. Bounded: once it holds
/// <see cref="Capacity"/> heads it takes no more, and a publish on a topic it lacks encodes the head on its thread as
/// before (allocating nothing once the runtime has optimized that code). Thread-safe; one is shared by every client in
/// the process (<see cref="Shared"/>), since a head depends only on its topic and type.
/// </summary>
/// <remarks>
/// A head costs about 250 bytes for a 30-character topic (the head, its entry and the strings it keeps), so a full cache
/// is about 4 MB, about 15 MB for topics at the default 256-byte limit, and never more than about 19 MB: a topic and
/// type over <see cref="MaxCachedBytes"/> together (possible only with the topic limit raised) are not cached. Nothing
/// is evicted: eviction would make a publisher cycling through more topics than the bound allocate on every event.
/// </remarks>
internal sealed class PublishHeadCache(int capacity)
{
    /// <summary>
    /// The bound of <see cref="Shared"/>: room for the benchmark's W4 (10,000 topics), or thousands of deckies with a few
    /// topics each.
    /// </summary>
    public const int DefaultCapacity = 16_384;

    /// <summary>The longest topic and type, in UTF-8 bytes together, whose head is cached.</summary>
    public const int MaxCachedBytes = 320;

    private readonly ConcurrentDictionary<(string Topic, string Type), EncodedHead> _heads = new();
    private int _count;

    /// <summary>The cache every client in the process uses.</summary>
    public static PublishHeadCache Shared { get; } = new(DefaultCapacity);

    /// <summary>How many heads the cache takes (threads adding at the same moment may each add one past it).</summary>
    public int Capacity { get; } = Math.Max(capacity, 0);

    /// <summary>How many heads it holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The head for <paramref name="topic"/> and <paramref name="type"/>, validated and encoded on first use; null when
    /// it is not cached and the cache is full, or the topic and type are too long to cache (the caller encodes it itself).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The topic or type is invalid (nothing is cached for it). Checked only when the head would be cached: a null
    /// return leaves the check to the caller's own encoding.
    /// </exception>
    public EncodedHead? Find(string topic, string type)
    {
        if (_heads.TryGetValue((topic, type), out var head))
        {
            return head;
        }

        if (Volatile.Read(ref _count) >= Capacity
            || Encoding.UTF8.GetByteCount(topic) + Encoding.UTF8.GetByteCount(type) > MaxCachedBytes)
        {
            return null;
        }

        // Two threads may encode the same new head at once: both are identical, and the one not added is garbage.
        head = EncodedHead.Create(topic, type);
        if (_heads.TryAdd((topic, type), head))
        {
            Interlocked.Increment(ref _count);
            return head;
        }

        return _heads.TryGetValue((topic, type), out var added) ? added : head;
    }
}
