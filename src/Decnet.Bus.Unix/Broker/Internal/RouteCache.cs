using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One publishing connection's routes by topic bytes (docs/performance-history.md, "Hot path redesign (issue 14),
/// part 2"): a stream of events on a few topics is validated, checked against the ACL and matched once per topic, not
/// once per event. Every entry is for one routing-table generation; the first look-up after any SUB, UNSUB or
/// disconnect forgets them all. Bounded per connection (<see cref="BudgetBytes"/>) and for all connections together
/// (<see cref="BrokerLimits.MaxTotalRouteCacheBytes"/>, counted in <see cref="BrokerHub"/>), by the bytes its arrays
/// hold: past either, new topics are routed without being cached.
/// </summary>
/// <remarks>
/// Flat, so a look-up among many topics (W4 cycles through 10,000) touches few cache lines: an open-addressed probe
/// array holds each entry's hash and index, an entry array its offsets, one byte arena its topic, EVT topic part and
/// EVT heads side by side, and one array its destinations (docs/performance-history-5.md, part 31). Nothing is
/// removed until everything is.
/// </remarks>
internal sealed class RouteCache
{
    internal const int BudgetBytes = 2 * 1024 * 1024;

    // A look-up or an insert probes at most this many slots (past it the topic is routed uncached), so no set of
    // topics, colliding by chance or by design, makes one look-up cost more than this many compares.
    private const int _maxProbes = 32;
    private const int _firstProbes = 16;
    private const int _firstArenaBytes = 256;
    private const ulong _multiplier = 0x9E3779B97F4A7C15UL;
    private static readonly ulong _processSeed = (ulong)Random.Shared.NextInt64();

    private readonly BrokerHub _hub;
    private readonly ulong _seed;
    private Probe[] _probes = [];
    private Entry[] _entries = [];
    private byte[] _arena = [];
    private RouteTarget[] _targets = [];
    private RequestRejection[] _refusals = [];
    private int _count;
    private int _arenaUsed;
    private int _targetsUsed;
    private int _refusalsUsed;
    private long _bytes;
    private long _refusalBytes;
    private long _generation = -1;
    private int _last = -1;

    /// <summary>A cache counting against <paramref name="hub"/>'s budgets; <paramref name="seed"/> only for tests.</summary>
    public RouteCache(BrokerHub hub, ulong? seed = null)
    {
        _hub = hub;
        _seed = seed ?? _processSeed;
    }

    /// <summary>Bytes this cache's arrays hold, as counted against its budgets.</summary>
    internal long Bytes => _bytes;

    /// <summary>
    /// The cached route for <paramref name="topic"/> at <paramref name="generation"/>. Returns false after forgetting
    /// every entry when the generation moved on.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> topic, long generation, out RouteView route)
    {
        if (generation != _generation)
        {
            Forget();
            _generation = generation;
            route = default;
            return false;
        }

        if (_last >= 0 && KeyOf(in _entries[_last]).SequenceEqual(topic))
        {
            route = ViewOf(in _entries[_last]);
            return true;
        }

        if (_count > 0)
        {
            var hash = Hash(topic);
            var mask = _probes.Length - 1;
            for (int probe = 0, at = hash & mask; probe < _maxProbes; probe++, at = (at + 1) & mask)
            {
                var (probeHash, index) = _probes[at];
                if (index == 0)
                {
                    break;
                }

                if (probeHash == hash && KeyOf(in _entries[index - 1]).SequenceEqual(topic))
                {
                    _last = index - 1;
                    route = ViewOf(in _entries[_last]);
                    return true;
                }
            }
        }

        route = default;
        return false;
    }

    /// <summary>
    /// Caches a copy of <paramref name="entry"/> unless a budget is spent; returns the route to publish with.
    /// </summary>
    public RouteView Add(ReadOnlySpan<byte> topic, RouteEntry entry)
    {
        var data = entry.Data;
        var targets = entry.Targets;
        var refusal = entry.Invalid ?? entry.Denied;
        if (entry.Generation != _generation || !Reserve(topic.Length + data.Length, targets.Length, refusal))
        {
            return entry.View;
        }

        var hash = Hash(topic);
        var at = FreeSlot(_probes, hash);
        if (at < 0 && TryGrowProbes())
        {
            at = FreeSlot(_probes, hash);
        }

        if (at < 0)
        {
            return entry.View;
        }

        var keyOffset = _arenaUsed;
        topic.CopyTo(_arena.AsSpan(keyOffset));
        var dataOffset = keyOffset + topic.Length;
        data.CopyTo(_arena.AsSpan(dataOffset));
        _arenaUsed = dataOffset + data.Length;
        for (var i = 0; i < targets.Length; i++)
        {
            _targets[_targetsUsed + i] = targets[i] with { Offset = targets[i].Offset + dataOffset };
        }

        var refusalIndex = 0;
        if (refusal is { } refused)
        {
            _refusals[_refusalsUsed++] = refused;
            refusalIndex = entry.Invalid is null ? -_refusalsUsed : _refusalsUsed;

            // Counted while held: the next generation's Forget gives it back (the array slot stays counted).
            var messageBytes = refused.Message.Length * 2L;
            _refusalBytes += messageBytes;
            _bytes += messageBytes;
            _hub.AddRouteCacheBytes(messageBytes);
        }

        _entries[_count] = new Entry(keyOffset, topic.Length, entry.TopicHead.Length, _targetsUsed, targets.Length, refusalIndex);
        _probes[at] = new Probe(hash, ++_count);
        _targetsUsed += targets.Length;
        _last = _count - 1;
        return ViewOf(in _entries[_last]);
    }

    /// <summary>
    /// Forgets every entry and gives its arrays back (the publisher went quiet, or the connection ended).
    /// </summary>
    public void Clear()
    {
        Forget();
        if (_bytes > 0)
        {
            _hub.AddRouteCacheBytes(-_bytes);
        }

        _probes = [];
        _entries = [];
        _arena = [];
        _targets = [];
        _refusals = [];
        _bytes = 0;
    }

    private int Hash(ReadOnlySpan<byte> key)
    {
        // Seeded per process; _maxProbes bounds what a poor spread of some topics could cost.
        var h = _seed ^ (ulong)key.Length;
        for (; key.Length >= 8; key = key[8..])
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * _multiplier;
            h ^= h >> 32;
        }

        ulong tail = 0;
        for (var i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
        }

        h = (h ^ tail) * _multiplier;
        return (int)(h ^ (h >> 32));
    }

    private static int FreeSlot(Probe[] probes, int hash)
    {
        var mask = probes.Length - 1;
        for (int probe = 0, at = hash & mask; probe < _maxProbes; probe++, at = (at + 1) & mask)
        {
            if (probes[at].Index == 0)
            {
                return at;
            }
        }

        return -1;
    }

    private ReadOnlySpan<byte> KeyOf(in Entry cached) => _arena.AsSpan(cached.KeyOffset, cached.KeyLength);

    private RouteView ViewOf(in Entry cached)
    {
        RequestRejection? invalid = cached.Refusal > 0 ? _refusals[cached.Refusal - 1] : null;
        RequestRejection? denied = cached.Refusal < 0 ? _refusals[-cached.Refusal - 1] : null;
        return new RouteView(
            _arena,
            _arena.AsSpan(cached.KeyOffset + cached.KeyLength, cached.HeadLength),
            _targets.AsSpan(cached.TargetStart, cached.TargetCount),
            invalid,
            denied);
    }

    /// <summary>
    /// Empties the cache but keeps its arrays (and their count against the budgets) for the next generation.
    /// </summary>
    private void Forget()
    {
        if (_refusalBytes > 0)
        {
            _bytes -= _refusalBytes;
            _hub.AddRouteCacheBytes(-_refusalBytes);
            _refusalBytes = 0;
        }

        Array.Clear(_probes);
        Array.Clear(_targets, 0, _targetsUsed); // no staging of a connection that has gone stays reachable
        Array.Clear(_refusals, 0, _refusalsUsed);
        _count = 0;
        _arenaUsed = 0;
        _targetsUsed = 0;
        _refusalsUsed = 0;
        _last = -1;
    }

    /// <summary>
    /// Grows the arrays for one more entry, if both budgets allow it; false leaves everything as it was.
    /// </summary>
    private bool Reserve(int arenaBytes, int targets, RequestRejection? refusal)
    {
        var room = Room();
        var probeLength = _probes.Length == 0 ? _firstProbes : (_count + 1) * 2 > _probes.Length ? _probes.Length * 2 : _probes.Length;
        var cost = (long)(probeLength - _probes.Length) * Unsafe.SizeOf<Probe>();
        var entryLength = Grown(_entries.Length, _count + 1, Unsafe.SizeOf<Entry>(), room - cost, _firstProbes / 2);
        cost += (long)(entryLength - _entries.Length) * Unsafe.SizeOf<Entry>();
        var arenaLength = Grown(_arena.Length, _arenaUsed + arenaBytes, 1, room - cost, _firstArenaBytes);
        cost += arenaLength - _arena.Length;
        var targetLength = Grown(_targets.Length, _targetsUsed + targets, Unsafe.SizeOf<RouteTarget>(), room - cost, 4);
        cost += (long)(targetLength - _targets.Length) * Unsafe.SizeOf<RouteTarget>();
        var refusalLength = refusal is null ? _refusals.Length : Grown(_refusals.Length, _refusalsUsed + 1, Unsafe.SizeOf<RequestRejection>(), room - cost, 4);
        cost += (long)(refusalLength - _refusals.Length) * Unsafe.SizeOf<RequestRejection>();

        // A refusal's message must fit too, but is counted only once it is stored (Add), and given back by Forget.
        var messageBytes = (refusal?.Message.Length ?? 0) * 2L;
        if (entryLength < 0 || arenaLength < 0 || targetLength < 0 || refusalLength < 0 || cost + messageBytes > room)
        {
            return false;
        }

        if (probeLength != _probes.Length)
        {
            Rehash(probeLength);
        }

        if (entryLength != _entries.Length)
        {
            Array.Resize(ref _entries, entryLength);
        }

        if (arenaLength != _arena.Length)
        {
            Array.Resize(ref _arena, arenaLength);
        }

        if (targetLength != _targets.Length)
        {
            Array.Resize(ref _targets, targetLength);
        }

        if (refusalLength != _refusals.Length)
        {
            Array.Resize(ref _refusals, refusalLength);
        }

        _bytes += cost;
        _hub.AddRouteCacheBytes(cost);
        return true;
    }

    /// <summary>
    /// Doubles the probe array, rehashing every entry, if both budgets allow it: below half load a run of taken slots
    /// longer than <see cref="_maxProbes"/> still happens now and then (in a simulation of W4's 10,000 topics, with 3
    /// seeds of 40), and a topic that found no slot would stay uncached for good.
    /// </summary>
    private bool TryGrowProbes()
    {
        var cost = (long)_probes.Length * Unsafe.SizeOf<Probe>();
        if (_probes.Length == 0 || cost > Room())
        {
            return false;
        }

        Rehash(_probes.Length * 2);
        _bytes += cost;
        _hub.AddRouteCacheBytes(cost);
        return true;
    }

    /// <summary>What both budgets, this connection's and the broker's, still allow this cache to take.</summary>
    private long Room() => Math.Min(BudgetBytes - _bytes, _hub.Limits.MaxTotalRouteCacheBytes - _hub.RouteCacheBytes);

    /// <summary>
    /// The length an array of <paramref name="length"/> grows to for <paramref name="needed"/> elements: doubled, or
    /// as far as <paramref name="room"/> bytes allow; -1 when not even <paramref name="needed"/> fits.
    /// </summary>
    private static int Grown(int length, int needed, int elementBytes, long room, int first)
    {
        if (needed <= length)
        {
            return length;
        }

        var wanted = Math.Max(needed, length == 0 ? first : length * 2);
        var affordable = room <= 0 ? length : (int)Math.Min(int.MaxValue, length + (room / elementBytes));
        var grown = Math.Min(wanted, affordable);
        return grown >= needed ? grown : -1;
    }

    private void Rehash(int length)
    {
        var probes = new Probe[length];
        foreach (var probe in _probes)
        {
            // An entry that no longer lands within _maxProbes of its place is left out (its bytes stay counted).
            if (probe.Index != 0 && FreeSlot(probes, probe.Hash) is var at and >= 0)
            {
                probes[at] = probe;
            }
        }

        _probes = probes;
    }

    /// <summary>
    /// Where an entry is: its hash, and its index in the entries plus one (0 marks a free slot). Eight bytes, so a
    /// look-up among 10,000 topics probes within 256 KB.
    /// </summary>
    private readonly record struct Probe(int Hash, int Index);

    /// <summary>
    /// One cached entry: its topic at <see cref="KeyOffset"/> in the arena, followed by its EVT topic part
    /// (<see cref="HeadLength"/> bytes) and its destinations' EVT heads; <see cref="Refusal"/> is 0, or the refusal's
    /// index plus one, negated when the ACL denied the topic.
    /// </summary>
    private readonly record struct Entry(int KeyOffset, int KeyLength, int HeadLength, int TargetStart, int TargetCount, int Refusal);
}
