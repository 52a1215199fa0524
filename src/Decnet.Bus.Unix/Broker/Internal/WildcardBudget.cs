namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Bounds what wildcard subscriptions make the routing table's trie hold (docs/reliability.md §2): each costs its
/// pattern's tokens (at most one trie node each), charged to the subscriber's uid, and no uid, nor the broker
/// overall, holds more than <see cref="BrokerLimits.MaxWildcardTokensPerUid"/> and
/// <see cref="BrokerLimits.MaxTotalWildcardTokens"/>. Literal patterns cost nothing here: the subscription and topic
/// limits bound them.
/// </summary>
internal sealed class WildcardBudget(BrokerLimits limits)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _perUid = [];
    private long _total;

    /// <summary>Tokens all wildcard subscriptions hold now.</summary>
    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>The tokens <paramref name="pattern"/> costs: its token count if it has a wildcard, else 0.</summary>
    public static int Cost(string pattern) =>
        RoutingTable.IsWildcard(pattern) ? pattern.AsSpan().Count('.') + 1 : 0;

    /// <summary>
    /// Charges <paramref name="uid"/> for <paramref name="pattern"/>, which replaces <paramref name="replaced"/> (a
    /// re-used sid; its cost is given back when its route goes). Returns why it does not fit, or null once charged.
    /// </summary>
    public string? TryCharge(int uid, string pattern, string? replaced)
    {
        var cost = Cost(pattern);
        if (cost == 0)
        {
            return null;
        }

        var freed = replaced is null ? 0 : Cost(replaced);
        lock (_gate)
        {
            var held = _perUid.GetValueOrDefault(uid);
            if (held - freed + cost > limits.MaxWildcardTokensPerUid)
            {
                return $"uid {uid}'s wildcard subscriptions would hold {held - freed + cost} pattern tokens; the limit is {limits.MaxWildcardTokensPerUid} per uid";
            }

            if (_total - freed + cost > limits.MaxTotalWildcardTokens)
            {
                return $"the broker's wildcard subscriptions would hold {_total - freed + cost} pattern tokens; the limit is {limits.MaxTotalWildcardTokens}";
            }

            _perUid[uid] = held + cost;
            _total += cost;
            return null;
        }
    }

    /// <summary>Gives back what <paramref name="pattern"/> cost <paramref name="uid"/> (its route went).</summary>
    public void Release(int uid, string pattern)
    {
        var cost = Cost(pattern);
        if (cost == 0)
        {
            return;
        }

        lock (_gate)
        {
            var left = _perUid.GetValueOrDefault(uid) - cost;
            if (left <= 0)
            {
                _perUid.Remove(uid);
            }
            else
            {
                _perUid[uid] = left;
            }

            _total -= cost;
        }
    }
}
