using System.Globalization;

namespace Decnet.Bus.Soak.Accounting;

/// <summary>Formats epoch accounts as text: a summary line and a per-subscription table.</summary>
public static class AccountingTable
{
    /// <summary>One line summing an epoch.</summary>
    public static string Summary(EpochAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var exact = account.Rows.Count(r => r.IsExact);
        return account.End == EpochEnd.Graceful
            ? Invariant($"epoch {account.Epoch} (graceful): {account.PublishCalls} published ({account.BrokerPublished} reached the broker), {account.Rows.Count} subscriptions: matching {account.Matching} = delivered {account.Consumed} + dropped {account.ClientDropped + account.BrokerDropped} (client {account.ClientDropped}, broker {account.BrokerDropped}); exact {exact}/{account.Rows.Count}")
            : Invariant($"epoch {account.Epoch} (SIGKILL): {account.PublishCalls} published, matching {account.Matching}: delivered {account.Consumed} + dropped {account.ClientDropped + account.BrokerDropped} (client {account.ClientDropped}, broker by the last STATS {account.BrokerDropped}), unaccounted {account.Unaccounted}");
    }

    /// <summary>The per-subscription table, one line per row.</summary>
    public static IEnumerable<string> Rows(EpochAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        yield return "  subscription pattern         matching  delivered  dropped(client  broker)  broker-queued  check";
        foreach (var r in account.Rows)
        {
            var queued = r.BrokerQueued < 0 ? "-" : r.BrokerQueued.ToString(CultureInfo.InvariantCulture);
            var check = account.End == EpochEnd.Graceful
                ? (r.IsExact ? "exact" : "MISMATCH")
                : Invariant($"lost {r.Unaccounted}");
            yield return Invariant($"  {r.Name,-12} {r.Pattern,-14} {r.Matching,10} {r.Consumed,10} {r.ClientDropped,15} {r.BrokerDropped,7} {queued,14}  {check}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
