using System.Buffers;
using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The broker's shared state: live connections, the routing table and the totals. Publishing routes a PUB to every
/// matching subscription with one EVT per connection, encoding the shared part of the EVT once.
/// </summary>
internal sealed class BrokerHub
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
    private long _nextId;
    private int _connectionCount;

    public BrokerHub(BrokerLimits limits, TimeProvider time)
    {
        Limits = limits;
        _time = time;
        _startedAt = time.GetTimestamp();
        Credentials = new PeerCredentials(Environment.ProcessId, (int)Native.Libc.GetUid(), (int)Native.Libc.GetGid());
    }

    public BrokerLimits Limits { get; }

    /// <summary>The broker's own identity, stamped on its heartbeat events.</summary>
    public PeerCredentials Credentials { get; }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public BusCounters Totals => _counters.Snapshot;

    public double UptimeSeconds => _time.GetElapsedTime(_startedAt).TotalSeconds;

    public IEnumerable<BrokerConnection> Connections => _connections.Values;

    public long NextConnectionId() => Interlocked.Increment(ref _nextId);

    /// <summary>Adds a connection unless the connection limit is reached.</summary>
    public bool TryRegister(BrokerConnection connection)
    {
        if (Interlocked.Increment(ref _connectionCount) > Limits.MaxConnections)
        {
            Interlocked.Decrement(ref _connectionCount);
            return false;
        }

        _connections[connection.Id] = connection;
        return true;
    }

    /// <summary>Removes a connection and all its routes. Idempotent.</summary>
    public void Unregister(BrokerConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _connectionCount);
        }

        foreach (var (sid, pattern) in connection.TakeSubscriptions())
        {
            _routes.Remove(pattern, new Route(connection, sid));
        }
    }

    /// <summary>Counts one ERR: a connection refused or closed, or one request rejected (docs/wire-protocol.md §6).</summary>
    public void CountRejection(BusErrorCode code)
    {
        if ((uint)code < (uint)_rejections.Length)
        {
            Interlocked.Increment(ref _rejections[(int)code]);
        }

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

    public void AddRoute(string pattern, Route route) => _routes.Add(pattern, route);

    public void RemoveRoute(string pattern, Route route) => _routes.Remove(pattern, route);

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
        if (count < 0 || !TopicText.IsValidTopic(chars[..count]))
        {
            return new RequestRejection(BusErrorCode.InvalidTopic, "topic is not a valid publish topic (tokens separated by '.', no wildcards, whitespace or control characters)");
        }

        FrameDecoder.ValidatePublishTail(tail);
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

        var shared = SharedEvent.Create(topicUtf8, credentials, tail);
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
                    var sids = new uint[end - start];
                    for (var i = start; i < end; i++)
                    {
                        sids[i - start] = matches[i].Sid;
                    }

                    Deliver(connection, new OutboundItem(shared, 0, sids));
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
        };
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
    }
}
