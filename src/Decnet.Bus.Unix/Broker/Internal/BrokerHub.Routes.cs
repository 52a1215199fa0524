namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Subscriptions' routes: added with their SUBACK, removed, and charged to the subscriber's uid for what wildcard
/// patterns make the routing table hold (<see cref="WildcardBudget"/>, docs/reliability.md §2).
/// </summary>
internal sealed partial class BrokerHub
{
    /// <summary>The routing table, for tests.</summary>
    internal RoutingTable Routes => _routes;

    /// <summary>The pattern tokens all wildcard subscriptions hold (<see cref="WildcardBudget"/>).</summary>
    public long WildcardTokens => _wildcards.Total;

    /// <summary>
    /// Charges <paramref name="owner"/>'s uid for a wildcard <paramref name="pattern"/> replacing
    /// <paramref name="replaced"/> before its route is added; returns why it does not fit, or null.
    /// </summary>
    public string? ChargeWildcards(BrokerConnection owner, string pattern, string? replaced) =>
        _wildcards.TryCharge(owner.Credentials.Uid, pattern, replaced);

    /// <summary>Adds a route already charged (<see cref="ChargeWildcards"/>).</summary>
    public void AddRoute(string pattern, Route route)
    {
        _routes.Add(pattern, route);
        Changed();
    }

    /// <summary>
    /// Adds a route already charged and queues <paramref name="subAck"/> with it, under the routing lock then the
    /// subscriber's queue lock (<see cref="RoutingTable.Add(string, Route, Action{Action})"/>).
    /// </summary>
    public void AddRoute(string pattern, Route route, byte[] subAck)
    {
        _routes.Add(pattern, route, add => route.Connection.Outbound.EnqueueControlAfter(add, subAck));
        Changed();
    }

    /// <summary>Removes a route and gives back what it was charged.</summary>
    public void RemoveRoute(string pattern, Route route)
    {
        _routes.Remove(pattern, route);
        _wildcards.Release(route.Connection.Credentials.Uid, pattern);
        Changed();
    }
}
