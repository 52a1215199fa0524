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

    private string TooMany => $"more than {hub.Limits.MaxSubscriptionsPerConnection} subscriptions on one connection";

    /// <summary>Subscriptions held, read without the lock (a STATS row).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Sets <paramref name="sid"/> to <paramref name="pattern"/> (a re-used sid replaces its pattern) and routes it.
    /// The route goes in with the SUBACK (<see cref="BrokerHub.AddRoute(string, Route, byte[])"/>): once the client
    /// reads SUBACK every later publish reaches it, and no EVT for the subscription is queued before it. Returns why it
    /// was refused, changing nothing (the book is full, or the wildcard budget is spent), or null.
    /// </summary>
    public string? Set(uint sid, string pattern, byte[] subAck)
    {
        lock (_gate)
        {
            var replacing = _bySid.TryGetValue(sid, out var previous);
            if (!replacing && _bySid.Count >= hub.Limits.MaxSubscriptionsPerConnection)
            {
                return TooMany;
            }

            if (hub.ChargeWildcards(owner, pattern, previous) is { } refusal)
            {
                return refusal;
            }

            if (replacing)
            {
                hub.RemoveRoute(previous!, new Route(owner, sid));
            }

            _bySid[sid] = pattern;
            Volatile.Write(ref _count, _bySid.Count);
            hub.AddRoute(pattern, new Route(owner, sid), subAck);
            return null;
        }
    }

    /// <summary>
    /// For a Python connection, which names subscriptions by pattern: routes <paramref name="pattern"/> under a new sid
    /// of <paramref name="session"/>'s unless it is held already (then nothing changes, as in the Python broker's
    /// pattern set). Returns why it was refused (as <see cref="Set"/>), or null.
    /// </summary>
    public string? AddPattern(string pattern, TextSession session)
    {
        lock (_gate)
        {
            if (session.Patterns.ContainsKey(pattern))
            {
                return null;
            }

            if (_bySid.Count >= hub.Limits.MaxSubscriptionsPerConnection)
            {
                return TooMany;
            }

            if (hub.ChargeWildcards(owner, pattern, null) is { } refusal)
            {
                return refusal;
            }

            var sid = session.NextSid();
            session.Patterns[pattern] = sid;
            _bySid[sid] = pattern;
            Volatile.Write(ref _count, _bySid.Count);
            hub.AddRoute(pattern, new Route(owner, sid));
            return null;
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
