namespace Decnet.Bus.Soak.Accounting;

/// <summary>One subscription's accounting over one broker lifetime.</summary>
/// <param name="Name">The subscriber's client name.</param>
/// <param name="Pattern">Its pattern.</param>
/// <param name="Matching">
/// Matching events published: for a graceful epoch the sum of the matching publishers' <c>published</c> rows in the
/// broker; for a killed epoch the matching <c>PublishAsync</c> calls the publishers made during it.
/// </param>
/// <param name="Received">Events that reached the client's subscription queue (client <c>Received</c>).</param>
/// <param name="Consumed">Events the reader took.</param>
/// <param name="ClientDropped">Events the client's full queue discarded (client <c>Dropped</c>).</param>
/// <param name="BrokerDropped">
/// Events the broker's full queue discarded for it (its STATS row); when killed, as of the last STATS before the kill.
/// </param>
/// <param name="BrokerQueued">Events the broker queued for it (its STATS row <c>delivered</c>); -1 when killed (unknown).</param>
public sealed record SubscriptionAccount(
    string Name,
    string Pattern,
    long Matching,
    long Received,
    long Consumed,
    long ClientDropped,
    long BrokerDropped,
    long BrokerQueued)
{
    /// <summary>Dropped on either side.</summary>
    public long Dropped => ClientDropped + BrokerDropped;

    /// <summary>Matching events neither delivered nor counted as dropped (must be 0 when graceful; lost when killed).</summary>
    public long Unaccounted => Matching - Consumed - Dropped;

    /// <summary>
    /// Graceful: delivered + dropped == matching published, the broker queued exactly the matching events, and the
    /// client's own counts agree (received - client dropped == consumed).
    /// </summary>
    public bool IsExact => Unaccounted == 0 && BrokerQueued == Matching && Received - ClientDropped == Consumed;
}
