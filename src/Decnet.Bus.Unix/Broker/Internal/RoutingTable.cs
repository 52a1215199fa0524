using System.Collections.Concurrent;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Subscriptions by pattern: literal patterns in a dictionary, wildcard patterns in a token trie. Matching is
/// lock-free and allocation-free (span lookups, copy-on-write route arrays); changes take a lock.
/// </summary>
internal sealed class RoutingTable
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, Route[]> _literal = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Route[]>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;
    private readonly TrieNode _root = new();
    private int _wildcards;
    private long _generation;

    public RoutingTable() => _literalLookup = _literal.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Moves on with every change, after the change is visible to <see cref="Match"/>: a route worked out at a
    /// generation read before matching holds while the generation is unchanged (<see cref="RouteCache"/>).
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Adds <paramref name="route"/> under a valid <paramref name="pattern"/>.</summary>
    public void Add(string pattern, Route route)
    {
        lock (_writeLock)
        {
            AddLocked(pattern, route);
            Interlocked.Increment(ref _generation);
        }
    }

    private void AddLocked(string pattern, Route route)
    {
        if (!IsWildcard(pattern))
        {
            _literal[pattern] = _literal.TryGetValue(pattern, out var routes) ? [.. routes, route] : [route];
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
                node.Rest = [.. node.Rest, route];
                break;
            }

            node = token is "*" ? node.Star ??= new TrieNode() : node.Child(token);
            if (dot < 0)
            {
                node.Exact = [.. node.Exact, route];
                break;
            }

            rest = rest[(dot + 1)..];
        }

        _wildcards++;
    }

    /// <summary>Removes one <paramref name="route"/> previously added under <paramref name="pattern"/>.</summary>
    public void Remove(string pattern, Route route)
    {
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
            if (_literal.TryGetValue(pattern, out var routes))
            {
                var left = Without(routes, route);
                if (left.Length == 0)
                {
                    _literal.TryRemove(pattern, out _);
                }
                else
                {
                    _literal[pattern] = left;
                }
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
            results.AddRange(routes);
        }

        if (Volatile.Read(ref _wildcards) > 0)
        {
            MatchNode(_root, topic, results);
        }
    }

    private static void MatchNode(TrieNode node, ReadOnlySpan<char> rest, List<Route> results)
    {
        // Called with at least one token left in rest.
        if (node.Rest is { Length: > 0 } tail)
        {
            results.AddRange(tail);
        }

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

    private static void Descend(TrieNode node, ReadOnlySpan<char> rest, bool atEnd, List<Route> results)
    {
        if (atEnd)
        {
            results.AddRange(node.Exact);
        }
        else
        {
            MatchNode(node, rest, results);
        }
    }

    private static bool RemoveFrom(TrieNode node, ReadOnlySpan<char> rest, Route route)
    {
        var dot = rest.IndexOf('.');
        var token = dot < 0 ? rest : rest[..dot];
        if (token is ">")
        {
            var before = node.Rest.Length;
            node.Rest = Without(node.Rest, route);
            return node.Rest.Length != before;
        }

        var child = token is "*" ? node.Star : node.TryGetChild(token, out var c) ? c : null;
        if (child is null)
        {
            return false;
        }

        bool removed;
        if (dot < 0)
        {
            var before = child.Exact.Length;
            child.Exact = Without(child.Exact, route);
            removed = child.Exact.Length != before;
        }
        else
        {
            removed = RemoveFrom(child, rest[(dot + 1)..], route);
        }

        if (child.IsEmpty)
        {
            // Prune so a client cycling unique patterns cannot grow the trie without bound.
            if (token is "*")
            {
                node.Star = null;
            }
            else
            {
                node.RemoveChild(token);
            }
        }

        return removed;
    }

    private static Route[] Without(Route[] routes, Route route)
    {
        var at = Array.IndexOf(routes, route);
        if (at < 0)
        {
            return routes;
        }

        var left = new Route[routes.Length - 1];
        routes.AsSpan(0, at).CopyTo(left);
        routes.AsSpan(at + 1).CopyTo(left.AsSpan(at));
        return left;
    }

    private static bool IsWildcard(string pattern) => pattern.AsSpan().ContainsAny('*', '>');

    private sealed class TrieNode
    {
        private readonly ConcurrentDictionary<string, TrieNode> _children = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TrieNode>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private volatile Route[] _exact = [];
        private volatile Route[] _rest = [];
        private volatile TrieNode? _star;

        public TrieNode() => _lookup = _children.GetAlternateLookup<ReadOnlySpan<char>>();

        /// <summary>Routes whose pattern ends at this node.</summary>
        public Route[] Exact { get => _exact; set => _exact = value; }

        /// <summary>Routes whose pattern continues with a final <c>&gt;</c> after this node.</summary>
        public Route[] Rest { get => _rest; set => _rest = value; }

        public TrieNode? Star { get => _star; set => _star = value; }

        public bool IsEmpty => _exact.Length == 0 && _rest.Length == 0 && _star is null && _children.IsEmpty;

        public bool TryGetChild(ReadOnlySpan<char> token, out TrieNode child) => _lookup.TryGetValue(token, out child!);

        public TrieNode Child(ReadOnlySpan<char> token)
        {
            if (_lookup.TryGetValue(token, out var child))
            {
                return child;
            }

            child = new TrieNode();
            _children[token.ToString()] = child;
            return child;
        }

        public void RemoveChild(ReadOnlySpan<char> token) => _lookup.TryRemove(token, out _);
    }
}
