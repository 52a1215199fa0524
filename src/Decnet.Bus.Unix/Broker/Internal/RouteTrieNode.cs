using System.Collections.Concurrent;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One token of the <see cref="RoutingTable"/>'s wildcard trie. Kept small, since a deep pattern makes one per token:
/// its routes and children are made when first needed, and up to <see cref="_maxListed"/> children sit in a
/// copy-on-write array before a concurrent dictionary (about 600 bytes) is worth it. Changed under the table's lock
/// only; matching reads without one.
/// </summary>
internal sealed class RouteTrieNode
{
    private const int _maxListed = 8;

    // Null, a ListedChild[] of at most _maxListed, or a ManyChildren: one field, so a reader sees one or the other
    // whole.
    private volatile object? _children;
    private volatile PatternRoutes? _exact;
    private volatile PatternRoutes? _rest;
    private volatile RouteTrieNode? _star;

    /// <summary>Routes whose pattern ends at this node.</summary>
    public PatternRoutes? Exact => _exact;

    /// <summary>Routes whose pattern continues with a final <c>&gt;</c> after this node.</summary>
    public PatternRoutes? Rest => _rest;

    public RouteTrieNode? Star => _star;

    public bool IsEmpty => _exact is null && _rest is null && _star is null && _children is null;

    public PatternRoutes ExactForAdd() => _exact ??= new PatternRoutes();

    public PatternRoutes RestForAdd() => _rest ??= new PatternRoutes();

    public RouteTrieNode StarForAdd() => _star ??= new RouteTrieNode();

    /// <summary>Forgets the exact or rest routes once <paramref name="routes"/> holds none.</summary>
    public void DropIfEmpty(PatternRoutes routes)
    {
        if (!routes.IsEmpty)
        {
            return;
        }

        if (ReferenceEquals(routes, _exact))
        {
            _exact = null;
        }
        else if (ReferenceEquals(routes, _rest))
        {
            _rest = null;
        }
    }

    public void DropStar() => _star = null;

    public bool TryGetChild(ReadOnlySpan<char> token, out RouteTrieNode child)
    {
        var children = _children;
        if (children is ManyChildren many)
        {
            return many.Lookup.TryGetValue(token, out child!);
        }

        if (children is ListedChild[] listed)
        {
            foreach (var entry in listed)
            {
                if (token.SequenceEqual(entry.Token))
                {
                    child = entry.Node;
                    return true;
                }
            }
        }

        child = null!;
        return false;
    }

    public RouteTrieNode Child(ReadOnlySpan<char> token)
    {
        if (TryGetChild(token, out var child))
        {
            return child;
        }

        child = new RouteTrieNode();
        var children = _children;
        if (children is ManyChildren many)
        {
            many.Children[token.ToString()] = child;
        }
        else if (children is ListedChild[] { Length: >= _maxListed } listed)
        {
            var grown = new ManyChildren();
            foreach (var entry in listed)
            {
                grown.Children[entry.Token] = entry.Node;
            }

            grown.Children[token.ToString()] = child;
            _children = grown;
        }
        else
        {
            _children = (ListedChild[])[.. children as ListedChild[] ?? [], new ListedChild(token.ToString(), child)];
        }

        return child;
    }

    public void RemoveChild(ReadOnlySpan<char> token)
    {
        var children = _children;
        if (children is ManyChildren many)
        {
            many.Lookup.TryRemove(token, out _);
            if (many.Children.IsEmpty)
            {
                _children = null;
            }

            return;
        }

        if (children is not ListedChild[] listed)
        {
            return;
        }

        var left = new List<ListedChild>(listed.Length);
        foreach (var entry in listed)
        {
            if (!token.SequenceEqual(entry.Token))
            {
                left.Add(entry);
            }
        }

        _children = left.Count == 0 ? null : left.ToArray();
    }

    private readonly record struct ListedChild(string Token, RouteTrieNode Node);

    private sealed class ManyChildren
    {
        public ManyChildren() => Lookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();

        public ConcurrentDictionary<string, RouteTrieNode> Children { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, RouteTrieNode>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }
    }
}
