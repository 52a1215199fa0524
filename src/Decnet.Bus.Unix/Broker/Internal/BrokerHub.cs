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
    internal static readonly Comparison<Route> ByConnectionThenSid = static (a, b) =>
    {
        var c = a.Connection.Id.CompareTo(b.Connection.Id);
        return c != 0 ? c : a.Sid.CompareTo(b.Sid);
    };

    [ThreadStatic]
    private static List<Route>? _matches;

    private readonly ConcurrentDictionary<long, BrokerConnection> _connections = new();
    private readonly RoutingTable _routes = new();
    private readonly BusCounterSet _counters = new("unix-broker");
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly long[] _rejections = new long[Enum.GetValues<BusErrorCode>().Max(static c => (int)c) + 1];
    private readonly StatsReplyCache _statsReply;
    private readonly Lock _registry = new();
    private readonly Dictionary<int, int> _perUid = [];
    private readonly Lock _shedding = new();
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
    }

    public BrokerLimits Limits { get; }

    /// <summary>The broker's own identity, stamped on its heartbeat events.</summary>
    public PeerCredentials Credentials { get; }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public BusCounters Totals => _counters.Snapshot;

    public double UptimeSeconds => _time.GetElapsedTime(_startedAt).TotalSeconds;

    public IEnumerable<BrokerConnection> Connections => _connections.Values;

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
            _routes.Remove(pattern, new Route(connection, sid));
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

    /// <summary>Counts events dropped after they were queued (one a Python subscriber cannot be sent, docs/wire-protocol.md §10).</summary>
    public void CountDropped(long count) => _counters.AddDropped(count);

    /// <summary>Counts one of the broker's own heartbeats, which STATS reports apart (docs/wire-protocol.md §7.5).</summary>
    public void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);

    /// <summary>Notes a change a STATS reply shows that no counter does (a name, a subscription, a connection).</summary>
    public void Changed() => Interlocked.Increment(ref _version);

    public void AddRoute(string pattern, Route route)
    {
        _routes.Add(pattern, route);
        Changed();
    }

    public void RemoveRoute(string pattern, Route route)
    {
        _routes.Remove(pattern, route);
        Changed();
    }

    /// <summary>
    /// Validates and routes one publish. <paramref name="publisher"/> is null for the broker's own events. Returns why
    /// a well-formed publish was refused (invalid topic, denied by the ACL), or null when it was routed.
    /// </summary>
    /// <exception cref="ProtocolException">The publish tail is malformed (a framing error: the connection ends).</exception>
    public RequestRejection? Publish(BrokerConnection? publisher, PeerCredentials credentials, ReadOnlySequence<byte> topicUtf8, ReadOnlySequence<byte> tail)
    {
        var length = (int)topicUtf8.Length;
        if (length == 0)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, "topic is empty or not a MessagePack str");
        }

        if (length > Limits.MaxTopicBytes)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, $"topic of {length} bytes; the limit is {Limits.MaxTopicBytes}");
        }

        var chars = length <= 512 ? stackalloc char[length] : new char[length];
        var count = TopicText.Decode(topicUtf8, chars);
        if (count < 0)
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, "the topic is not valid UTF-8");
        }

        if (!TopicText.IsValidTopic(chars[..count]))
        {
            // Rare: worded by the client validator, which applies the same rule to the same characters.
            var text = new string(chars[..count]);
            return new RequestRejection(BusErrorCode.InvalidTopic, $"invalid topic \"{UntrustedText.Escape(text)}\": {Topics.DescribeTopicError(text)}");
        }

        var traced = FrameDecoder.ValidatePublishTail(tail);
        var acl = Limits.Acl;
        var topic = acl is null ? null : new string(chars[..count]);
        if (acl is not null && publisher is not null && !acl.MayPublish(credentials, topic!))
        {
            return new RequestRejection(BusErrorCode.PermissionDenied, $"uid {credentials.Uid} gid {credentials.Gid} may not publish on {topic} (DECNET_BUS_ACL_FILE)");
        }

        _counters.AddPublished();
        publisher?.CountPublished();

        var matches = _matches ??= new List<Route>();
        matches.Clear();
        _routes.Match(chars[..count], matches);
        if (publisher is { Echo: false })
        {
            RemoveConnection(matches, publisher);
        }

        if (acl is { RestrictsReceiving: true })
        {
            // Checked per delivery, not per SUB: a wide pattern (">") must not see topics a rule reserves.
            RemoveForbidden(matches, acl, topic!);
        }

        if (matches.Count == 0)
        {
            return null;
        }

        var shared = SharedEvent.Create(topicUtf8, credentials, tail, traced);
        try
        {
            if (matches.Count == 1)
            {
                Deliver(matches[0].Connection, new OutboundItem(shared, matches[0].Sid, null));
                return null;
            }

            // One EVT per connection carrying every matching sid of that connection.
            matches.Sort(ByConnectionThenSid);
            var start = 0;
            while (start < matches.Count)
            {
                var connection = matches[start].Connection;
                var end = start + 1;
                while (end < matches.Count && matches[end].Connection == connection)
                {
                    end++;
                }

                if (end - start == 1)
                {
                    Deliver(connection, new OutboundItem(shared, matches[start].Sid, null));
                }
                else
                {
                    Deliver(connection, new OutboundItem(shared, 0, connection.SidsFor(matches, start, end)));
                }

                start = end;
            }

            return null;
        }
        finally
        {
            shared.Release();
            matches.Clear();
        }
    }

    private static void RemoveForbidden(List<Route> matches, TopicAcl acl, string topic)
    {
        var kept = 0;
        for (var i = 0; i < matches.Count; i++)
        {
            if (acl.MayReceive(matches[i].Connection.Credentials, topic))
            {
                matches[kept++] = matches[i];
            }
        }

        matches.RemoveRange(kept, matches.Count - kept);
    }

    private static void RemoveConnection(List<Route> matches, BrokerConnection connection)
    {
        var kept = 0;
        for (var i = 0; i < matches.Count; i++)
        {
            if (matches[i].Connection != connection)
            {
                matches[kept++] = matches[i];
            }
        }

        matches.RemoveRange(kept, matches.Count - kept);
    }

    private void Deliver(BrokerConnection connection, OutboundItem item)
    {
        var dropped = connection.EnqueueEvent(item);
        _counters.AddDelivered();
        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
        }

        if (Volatile.Read(ref _totalQueuedBytes) > Limits.MaxTotalQueueBytes)
        {
            ShedLargest();
        }
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
                    var bytes = candidate.QueuedBytes;
                    if (bytes > most)
                    {
                        most = bytes;
                        largest = candidate;
                    }
                }

                var dropped = largest?.ShedOldest(Volatile.Read(ref _totalQueuedBytes) - target) ?? 0;
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
