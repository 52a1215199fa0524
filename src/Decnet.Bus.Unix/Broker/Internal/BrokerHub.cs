using System.Buffers;
using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The broker's shared state: live connections, the routing table and the totals. Publishing routes a PUB to every
/// matching subscription with one EVT per connection, encoding the shared part of the EVT once.
/// </summary>
internal sealed partial class BrokerHub
{
    private readonly ConcurrentDictionary<long, BrokerConnection> _connections = new();
    private readonly RoutingTable _routes = new();
    private readonly WildcardBudget _wildcards;
    private readonly BusCounterSet _counters = new("unix-broker");
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly long[] _rejections = new long[Enum.GetValues<BusErrorCode>().Max(static c => (int)c) + 1];
    private readonly StatsReplyCache _statsReply;
    private readonly Lock _registry = new();
    private readonly Dictionary<int, int> _perUid = [];
    private readonly Lock _shedding = new();
    private readonly RouteResolver _resolver;
    private readonly ReadBatch _ownBatch;
    private long _nextId;
    private int _connectionCount;
    private int _handshaking;

    // Bytes queued on every connection together (docs/Service-Bus.md, "Broker limits").
    private long _totalQueuedBytes;

    // Bumped by every change a STATS row shows besides the counters: connections, names, subscriptions, rejections.
    private long _version;
    private long _heartbeats;

    public BrokerHub(BrokerLimits limits, TimeProvider time)
    {
        Limits = limits;
        _time = time;
        _startedAt = time.GetTimestamp();
        Credentials = new PeerCredentials(Environment.ProcessId, (int)Native.Libc.GetUid(), (int)Native.Libc.GetGid());
        _statsReply = new StatsReplyCache(GetStats, time);
        _resolver = new RouteResolver(_routes, limits);
        _wildcards = new WildcardBudget(limits);
        _ownBatch = new ReadBatch(this, null);
    }

    public BrokerLimits Limits { get; }

    /// <summary>The broker's own identity, stamped on its heartbeat events.</summary>
    public PeerCredentials Credentials { get; }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public BusCounters Totals => _counters.Snapshot;

    public double UptimeSeconds => _time.GetElapsedTime(_startedAt).TotalSeconds;

    /// <summary>Every connection, walked without locks or a copy (the idle sweep's pass; a STATS reply sorts its own).</summary>
    public IEnumerable<BrokerConnection> Connections => _connections.Select(static entry => entry.Value);

    public long NextConnectionId() => Interlocked.Increment(ref _nextId);

    /// <summary>Bytes queued on every connection together.</summary>
    public long TotalQueuedBytes => Volatile.Read(ref _totalQueuedBytes);

    /// <summary>
    /// Adds a connection unless a connection limit is reached: all connections, those of its uid, or those still in
    /// their handshake. Returns why it was refused, or null. A new connection counts as handshaking until HELLO.
    /// </summary>
    public string? TryRegister(BrokerConnection connection)
    {
        var uid = connection.Credentials.Uid;
        lock (_registry)
        {
            if (_connectionCount >= Limits.MaxConnections)
            {
                return $"the broker already serves {Limits.MaxConnections} connections";
            }

            var ofUid = _perUid.GetValueOrDefault(uid);
            if (ofUid >= Limits.MaxConnectionsPerUid)
            {
                return $"uid {uid} already holds {Limits.MaxConnectionsPerUid} connections (DECNET_BUS_MAX_CONNECTIONS_PER_UID)";
            }

            if (_handshaking >= Limits.MaxHandshaking)
            {
                return $"{Limits.MaxHandshaking} connections are still in their handshake (DECNET_BUS_MAX_HANDSHAKING); try again";
            }

            _perUid[uid] = ofUid + 1;
            _handshaking++;
            Volatile.Write(ref _connectionCount, _connectionCount + 1);
            _connections[connection.Id] = connection;
        }

        Changed();
        return null;
    }

    /// <summary>The connection said HELLO: it no longer counts against the handshake limit.</summary>
    public void Handshaken(BrokerConnection connection)
    {
        if (connection.LeaveHandshake())
        {
            lock (_registry)
            {
                _handshaking--;
            }
        }

        Changed();
    }

    /// <summary>Removes a connection and all its routes. Idempotent.</summary>
    public void Unregister(BrokerConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            var uid = connection.Credentials.Uid;
            var handshaking = connection.LeaveHandshake();
            lock (_registry)
            {
                Volatile.Write(ref _connectionCount, _connectionCount - 1);
                _handshaking -= handshaking ? 1 : 0;
                if (_perUid[uid] == 1)
                {
                    _perUid.Remove(uid);
                }
                else
                {
                    _perUid[uid]--;
                }
            }
        }

        foreach (var (sid, pattern) in connection.TakeSubscriptions())
        {
            RemoveRoute(pattern, new Route(connection, sid));
        }

        Changed();
    }

    /// <summary>Counts bytes queued (positive) or taken out (negative) on any connection.</summary>
    public void AddQueuedBytes(long delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _totalQueuedBytes, delta);
        }
    }

    /// <summary>Counts events dropped after they were queued (one a Python subscriber cannot be sent, docs/text-protocol.md).</summary>
    public void CountDropped(long count) => _counters.AddDropped(count);

    /// <summary>Counts one of the broker's own heartbeats, which STATS reports apart (docs/wire-protocol.md §7.5).</summary>
    public void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);

    /// <summary>Notes a change a STATS reply shows that no counter does (a name, a subscription, a connection).</summary>
    public void Changed() => Interlocked.Increment(ref _version);

    /// <summary>The STATS reply frame, from a snapshot at most <see cref="StatsReplyCache.MaxAge"/> old that no counter change has outdated.</summary>
    public byte[] StatsReply()
    {
        var totals = _counters.Snapshot;
        return _statsReply.Get(new StatsStamp(totals.Published, totals.Delivered, totals.Dropped, Interlocked.Read(ref _version)));
    }

    /// <summary>Counts one ERR: a connection refused or closed, or one request rejected (docs/wire-protocol.md §6).</summary>
    public void CountRejection(BusErrorCode code)
    {
        if ((uint)code < (uint)_rejections.Length)
        {
            Interlocked.Increment(ref _rejections[(int)code]);
        }

        Changed();

        Rejected?.Invoke(code);
    }

    /// <summary>Raised after each counted rejection (tests await it instead of polling the counters).</summary>
    public event Action<BusErrorCode>? Rejected;

    /// <summary>Non-zero rejection counters keyed by error code.</summary>
    public IReadOnlyDictionary<BusErrorCode, long> Rejections()
    {
        var counts = new SortedDictionary<BusErrorCode, long>();
        for (var i = 1; i < _rejections.Length; i++)
        {
            var count = Interlocked.Read(ref _rejections[i]);
            if (count > 0)
            {
                counts[(BusErrorCode)i] = count;
            }
        }

        return counts;
    }

    /// <summary>
    /// Validates and routes one publish into <paramref name="batch"/>, the publishing connection's per-read state
    /// (<paramref name="publisher"/> is null for the broker's own events). The route comes from the connection's cache
    /// when the topic was seen since the routing table last changed. Returns why a well-formed publish was refused
    /// (invalid topic, denied by the ACL), or null when it was routed; the events reach their queues when the batch
    /// commits. <paramref name="elements"/> is the count a client's PUB declares in its array header (6, or 7 with a
    /// trace), which the tail must agree with; 0 for a publish that has none (the broker's own, a text-protocol PUB).
    /// </summary>
    /// <exception cref="ProtocolException">The publish tail is malformed, or contradicts <paramref name="elements"/> (a framing error: the connection ends).</exception>
    public RequestRejection? Publish(ReadBatch batch, BrokerConnection? publisher, PeerCredentials credentials, ReadOnlySequence<byte> topicUtf8, ReadOnlySequence<byte> tail, int elements = 0)
    {
        if (topicUtf8.IsSingleSegment && tail.IsSingleSegment)
        {
            return Publish(batch, publisher, credentials, topicUtf8.FirstSpan, tail.FirstSpan, elements);
        }

        if (topicUtf8.Length > Limits.MaxTopicBytes)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, $"topic of {topicUtf8.Length} bytes; the limit is {Limits.MaxTopicBytes}");
        }

        // A frame split across receive segments (rare): joined into one buffer first, so its checks and their ERR text
        // do not depend on where the kernel split the stream.
        var topicLength = (int)topicUtf8.Length;
        var joined = ArrayPool<byte>.Shared.Rent(topicLength + (int)tail.Length);
        try
        {
            topicUtf8.Slice(0, topicLength).CopyTo(joined);
            tail.CopyTo(joined.AsSpan(topicLength));
            return Publish(batch, publisher, credentials, joined.AsSpan(0, topicLength), joined.AsSpan(topicLength, (int)tail.Length), elements);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>
    /// <see cref="Publish(ReadBatch, BrokerConnection?, PeerCredentials, ReadOnlySequence{byte}, ReadOnlySequence{byte}, int)"/>
    /// over contiguous bytes (a receive buffer's run of PUBs, or a split PUB joined): every publish is routed by this one
    /// path. The spans are read, never kept.
    /// </summary>
    /// <exception cref="ProtocolException">The publish tail is malformed (a framing error: the connection ends).</exception>
    public RequestRejection? Publish(ReadBatch batch, BrokerConnection? publisher, PeerCredentials credentials, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> tail, int elements = 0)
    {
        if (topic.IsEmpty)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, "topic is empty or not a MessagePack str");
        }

        if (topic.Length > Limits.MaxTopicBytes)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, $"topic of {topic.Length} bytes; the limit is {Limits.MaxTopicBytes}");
        }

        var generation = _routes.Generation;
        if (!batch.Cache.TryGet(topic, generation, out var route))
        {
            route = batch.Cache.Add(topic, _resolver.Resolve(batch, publisher, credentials, topic, generation));
        }

        if (route.Invalid is { } invalid)
        {
            return invalid;
        }

        var traced = PublishTailValidator.Validate(tail);
        if (elements != 0 && elements != (traced ? 7 : 6))
        {
            // The EVT is built from the tail, so a count the tail contradicts would go out as a malformed EVT.
            throw new ProtocolException(BusErrorCode.BadFrame, $"PUB declares {elements} elements but carries {(traced ? 7 : 6)}");
        }

        if (route.Denied is { } denied)
        {
            return denied;
        }

        batch.Stage(route, tail, traced);
        return null;
    }

    /// <summary>Publishes the broker's own event (the heartbeat): routed and flushed at once.</summary>
    public void PublishOwn(ReadOnlySequence<byte> topicUtf8, ReadOnlySequence<byte> tail)
    {
        lock (_ownBatch)
        {
            _ = Publish(_ownBatch, null, Credentials, topicUtf8, tail);
            // One publish per interval: kept, a buffer per health subscriber would sit idle between beats.
            _ownBatch.Complete(drained: true, releaseAll: true);
        }
    }

    /// <summary>Whether <paramref name="connection"/> is still registered (a batch forgets stagings of those gone).</summary>
    public bool IsRegistered(BrokerConnection connection) => _connections.ContainsKey(connection.Id);

    /// <summary>Adds up one batch's publishes, deliveries and drops (once per read, not per event).</summary>
    public void CountRouted(BrokerConnection? publisher, long published, long delivered, long dropped)
    {
        _counters.AddPublished(published);
        publisher?.CountPublished(published);
        if (delivered > 0)
        {
            _counters.AddDelivered(delivered);
        }

        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
        }

        if (Volatile.Read(ref _totalQueuedBytes) > Limits.MaxTotalQueueBytes)
        {
            ShedLargest();
        }
    }

    public BrokerStats GetStats()
    {
        var rows = _connections.Values
            .OrderBy(static c => c.Id)
            .Select(static c => c.Snapshot())
            .ToList();
        var totals = _counters.Snapshot;
        return new BrokerStats(Credentials.Pid, UptimeSeconds, totals.Published, totals.Delivered, totals.Dropped, rows)
        {
            Rejections = Rejections() is { Count: > 0 } rejections
                ? rejections.ToDictionary(static r => BrokerStats.RejectionName((int)r.Key), static r => r.Value)
                : BrokerStats.NoRejections,
            Heartbeats = Interlocked.Read(ref _heartbeats),
        };
    }

    /// <summary>
    /// The broker-wide bound is exceeded: the connection holding the most bytes drops its oldest events, then the next
    /// largest, until the total is a sixteenth under the bound (so a flood does not rescan the connections per event).
    /// One thread sheds at a time; the others go on (the total may pass the bound by what they queue meanwhile).
    /// </summary>
    private void ShedLargest()
    {
        if (!_shedding.TryEnter())
        {
            return;
        }

        try
        {
            var target = Limits.MaxTotalQueueBytes - (Limits.MaxTotalQueueBytes / 16);
            while (Volatile.Read(ref _totalQueuedBytes) > target)
            {
                BrokerConnection? largest = null;
                var most = 0L;
                foreach (var (_, candidate) in _connections)
                {
                    var bytes = candidate.Outbound.QueuedBytes;
                    if (bytes > most)
                    {
                        most = bytes;
                        largest = candidate;
                    }
                }

                var dropped = largest?.Outbound.ShedOldest(Volatile.Read(ref _totalQueuedBytes) - target) ?? 0;
                if (dropped == 0)
                {
                    return;
                }

                _counters.AddDropped(dropped);
            }
        }
        finally
        {
            _shedding.Exit();
        }
    }
}
