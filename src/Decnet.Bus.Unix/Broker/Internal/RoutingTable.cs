using System.Collections.Concurrent;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Subscriptions by pattern: literal patterns in a dictionary, wildcard patterns in a token trie, each pattern's routes
/// grouped by connection (<see cref="PatternRoutes"/>). Matching is lock-free (span lookups, copy-on-write arrays);
/// changes take a lock, and copy one connection's routes on a pattern, not all of them.
/// </summary>
internal sealed class RoutingTable
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, PatternRoutes> _literal = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PatternRoutes>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;
    private readonly RouteTrieNode _root = new();
    private int _wildcards;
    private long _generation;
    private long _copied;

    public RoutingTable() => _literalLookup = _literal.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Moves on with every change, after the change is visible to <see cref="Match"/>: a route worked out at a
    /// generation read before matching holds while the generation is unchanged (<see cref="RouteCache"/>).
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Routes copied by every change so far: the work changes do under the lock (tests bound it).</summary>
    internal long CopiedRoutes => Volatile.Read(ref _copied);

    /// <summary>Runs before a change waits for the routing lock (tests check which locks the caller holds).</summary>
    internal Action? BeforeWriteLock { get; set; }

    /// <summary>Adds <paramref name="route"/> under a valid <paramref name="pattern"/>.</summary>
    public void Add(string pattern, Route route) => Add(pattern, route, static add => add());

    /// <summary>
    /// Adds <paramref name="route"/> through <paramref name="around"/>, which must run the action it is given once,
    /// under the routing lock: a SUBACK queued with it (<see cref="OutboundQueue.EnqueueControlAfter"/>) takes the
    /// queue lock inside the routing lock, never the other way round, so no queue lock waits for the routing lock.
    /// </summary>
    public void Add(string pattern, Route route, Action<Action> around)
    {
        BeforeWriteLock?.Invoke();
        lock (_writeLock)
        {
            // The generation moves with the route, inside the action: the SUBACK queued after it must not reach a
            // client while a route cache can still answer for the old generation.
            around(() =>
            {
                AddLocked(pattern, route);
                Interlocked.Increment(ref _generation);
            });
        }
    }

    private void AddLocked(string pattern, Route route)
    {
        if (!IsWildcard(pattern))
        {
            // A new pattern's routes are filled before the dictionary shows them.
            var routes = _literal.TryGetValue(pattern, out var held) ? held : new PatternRoutes();
            Count(routes.Add(route));
            _literal[pattern] = routes;
            return;
        }

        var node = _root;
        var rest = pattern.AsSpan();
        while (true)
        {
            var dot = rest.IndexOf('.');
            var token = dot < 0 ? rest : rest[..dot];
            if (token is ">")
            {
                Count(node.RestForAdd().Add(route));
                break;
            }

            node = token is "*" ? node.StarForAdd() : node.Child(token);
            if (dot < 0)
            {
                Count(node.ExactForAdd().Add(route));
                break;
            }

            rest = rest[(dot + 1)..];
        }

        _wildcards++;
    }

    /// <summary>Removes one <paramref name="route"/> previously added under <paramref name="pattern"/>.</summary>
    public void Remove(string pattern, Route route)
    {
        BeforeWriteLock?.Invoke();
        lock (_writeLock)
        {
            RemoveLocked(pattern, route);
            Interlocked.Increment(ref _generation);
        }
    }

    private void RemoveLocked(string pattern, Route route)
    {
        if (!IsWildcard(pattern))
        {
            if (_literal.TryGetValue(pattern, out var routes) && RemoveFrom(routes, route) && routes.IsEmpty)
            {
                _literal.TryRemove(pattern, out _);
            }

            return;
        }

        if (RemoveFrom(_root, pattern.AsSpan(), route))
        {
            _wildcards--;
        }
    }

    /// <summary>Appends every route whose pattern matches the valid <paramref name="topic"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> topic, List<Route> results)
    {
        if (_literalLookup.TryGetValue(topic, out var routes))
        {
            routes.AppendTo(results);
        }

        if (Volatile.Read(ref _wildcards) > 0)
        {
            MatchNode(_root, topic, results);
        }
    }

    private static void MatchNode(RouteTrieNode node, ReadOnlySpan<char> rest, List<Route> results)
    {
        // Called with at least one token left in rest.
        node.Rest?.AppendTo(results);

        var dot = rest.IndexOf('.');
        var token = dot < 0 ? rest : rest[..dot];
        if (node.TryGetChild(token, out var child))
        {
            Descend(child, dot < 0 ? default : rest[(dot + 1)..], dot < 0, results);
        }

        if (node.Star is { } star)
        {
            Descend(star, dot < 0 ? default : rest[(dot + 1)..], dot < 0, results);
        }
    }

    private static void Descend(RouteTrieNode node, ReadOnlySpan<char> rest, bool atEnd, List<Route> results)
    {
        if (atEnd)
        {
            node.Exact?.AppendTo(results);
        }
        else
        {
            MatchNode(node, rest, results);
        }
    }

    private bool RemoveFrom(RouteTrieNode node, ReadOnlySpan<char> rest, Route route)
    {
        var dot = rest.IndexOf('.');
        var token = dot < 0 ? rest : rest[..dot];
        if (token is ">")
        {
            return node.Rest is { } tail && RemoveFrom(tail, route, node);
        }

        var child = token is "*" ? node.Star : node.TryGetChild(token, out var c) ? c : null;
        if (child is null)
        {
            return false;
        }

        var removed = dot < 0
            ? child.Exact is { } exact && RemoveFrom(exact, route, child)
            : RemoveFrom(child, rest[(dot + 1)..], route);

        if (child.IsEmpty)
        {
            // Prune so a client cycling unique patterns cannot grow the trie without bound.
            if (token is "*")
            {
                node.DropStar();
            }
            else
            {
                node.RemoveChild(token);
            }
        }

        return removed;
    }

    private bool RemoveFrom(PatternRoutes routes, Route route, RouteTrieNode? holder = null)
    {
        var removed = routes.Remove(route, out var copied);
        Count(copied);
        holder?.DropIfEmpty(routes);
        return removed;
    }

    private void Count(int copied) => _copied += copied;

    /// <summary>Whether <paramref name="pattern"/> goes in the trie (a wildcard token) rather than the literal dictionary.</summary>
    internal static bool IsWildcard(string pattern) => pattern.AsSpan().ContainsAny('*', '>');
}
