namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The routes of one pattern, grouped by connection: a change copies the changed connection's sids (at most
/// <see cref="BrokerLimits.MaxSubscriptionsPerConnection"/>) and, when a connection comes or goes, the list of
/// connections, never every route of the pattern. Changed under the routing table's lock; read without one (each
/// array is replaced whole, never changed once readers can see it).
/// </summary>
internal sealed class PatternRoutes
{
    private volatile ConnectionRoutes[] _byConnection = [];

    public bool IsEmpty => _byConnection.Length == 0;

    /// <summary>Adds <paramref name="route"/>; returns how many routes were copied to do it.</summary>
    public int Add(Route route)
    {
        var all = _byConnection;
        var at = IndexOf(all, route.Connection);
        if (at < 0)
        {
            _byConnection = [.. all, new ConnectionRoutes(route.Connection, [route.Sid])];
            return all.Length;
        }

        var sids = all[at].Sids;
        Volatile.Write(ref all[at], new ConnectionRoutes(route.Connection, [.. sids, route.Sid]));
        return sids.Length;
    }

    /// <summary>Removes <paramref name="route"/> if held; <paramref name="copied"/> counts the routes copied.</summary>
    public bool Remove(Route route, out int copied)
    {
        copied = 0;
        var all = _byConnection;
        var at = IndexOf(all, route.Connection);
        var sids = at < 0 ? [] : all[at].Sids;
        var sidAt = Array.IndexOf(sids, route.Sid);
        if (sidAt < 0)
        {
            return false;
        }

        if (sids.Length > 1)
        {
            copied = sids.Length;
            Volatile.Write(ref all[at], new ConnectionRoutes(route.Connection, Without(sids, sidAt)));
        }
        else
        {
            copied = all.Length;
            _byConnection = Without(all, at);
        }

        return true;
    }

    /// <summary>Appends every route held to <paramref name="results"/>.</summary>
    public void AppendTo(List<Route> results)
    {
        var all = _byConnection;
        for (var i = 0; i < all.Length; i++)
        {
            var entry = Volatile.Read(ref all[i]);
            foreach (var sid in entry.Sids)
            {
                results.Add(new Route(entry.Connection, sid));
            }
        }
    }

    private static int IndexOf(ConnectionRoutes[] all, BrokerConnection connection)
    {
        for (var i = 0; i < all.Length; i++)
        {
            if (all[i].Connection == connection)
            {
                return i;
            }
        }

        return -1;
    }

    private static T[] Without<T>(T[] items, int at)
    {
        var left = new T[items.Length - 1];
        items.AsSpan(0, at).CopyTo(left);
        items.AsSpan(at + 1).CopyTo(left.AsSpan(at));
        return left;
    }

    /// <summary>One connection's sids on the pattern; replaced whole on a change.</summary>
    private sealed class ConnectionRoutes(BrokerConnection connection, uint[] sids)
    {
        public BrokerConnection Connection { get; } = connection;

        public uint[] Sids { get; } = sids;
    }
}
