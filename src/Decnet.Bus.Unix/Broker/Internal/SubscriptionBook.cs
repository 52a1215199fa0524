namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One broker connection's subscriptions (sid → pattern), kept in step with the broker's routing table: every change
/// here changes the connection's routes under the book's lock, so the two never disagree, and the book holds at most
/// <see cref="BrokerLimits.MaxSubscriptionsPerConnection"/> entries.
/// </summary>
internal sealed class SubscriptionBook(BrokerHub hub, BrokerConnection owner)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, string> _bySid = [];
    private int _count;

    /// <summary>Subscriptions held, read without the lock (a STATS row).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Sets <paramref name="sid"/> to <paramref name="pattern"/> (a re-used sid replaces its pattern) and routes it.
    /// The route goes in with the SUBACK, under the queue lock (<see cref="OutboundQueue.EnqueueControlAfter"/>): once
    /// the client reads SUBACK every later publish reaches it, and no EVT for the subscription is queued before it.
    /// False, changing nothing, when <paramref name="sid"/> is new and the book is full.
    /// </summary>
    public bool Set(uint sid, string pattern, byte[] subAck)
    {
        lock (_gate)
        {
            if (_bySid.Remove(sid, out var previous))
            {
                hub.RemoveRoute(previous, new Route(owner, sid));
            }
            else if (_bySid.Count >= hub.Limits.MaxSubscriptionsPerConnection)
            {
                return false;
            }

            _bySid[sid] = pattern;
            Volatile.Write(ref _count, _bySid.Count);
            owner.Outbound.EnqueueControlAfter(() => hub.AddRoute(pattern, new Route(owner, sid)), subAck);
            return true;
        }
    }

    /// <summary>
    /// For a Python connection, which names subscriptions by pattern: routes <paramref name="pattern"/> under a new sid
    /// of <paramref name="session"/>'s unless it is held already (then nothing changes, as in the Python broker's
    /// pattern set). False when the book is full.
    /// </summary>
    public bool AddPattern(string pattern, TextSession session)
    {
        lock (_gate)
        {
            if (session.Patterns.ContainsKey(pattern))
            {
                return true;
            }

            if (_bySid.Count >= hub.Limits.MaxSubscriptionsPerConnection)
            {
                return false;
            }

            var sid = session.NextSid();
            session.Patterns[pattern] = sid;
            _bySid[sid] = pattern;
            Volatile.Write(ref _count, _bySid.Count);
            hub.AddRoute(pattern, new Route(owner, sid));
            return true;
        }
    }

    /// <summary>Removes <paramref name="sid"/> and its route, if held.</summary>
    public void Remove(uint sid)
    {
        lock (_gate)
        {
            if (_bySid.Remove(sid, out var pattern))
            {
                Volatile.Write(ref _count, _bySid.Count);
                hub.RemoveRoute(pattern, new Route(owner, sid));
            }
        }
    }

    /// <summary>For a Python connection: removes the subscription <paramref name="session"/> holds for <paramref name="pattern"/>, if any.</summary>
    public void RemovePattern(string pattern, TextSession session)
    {
        lock (_gate)
        {
            if (session.Patterns.Remove(pattern, out var sid))
            {
                Remove(sid);
            }
        }
    }

    /// <summary>Empties the book and hands its entries over, for the hub to remove their routes (the connection ended).</summary>
    public List<KeyValuePair<uint, string>> TakeAll()
    {
        lock (_gate)
        {
            var all = _bySid.ToList();
            _bySid.Clear();
            Volatile.Write(ref _count, 0);
            return all;
        }
    }
}
