namespace Decnet.Bus.Soak.Accounting;

/// <summary>The accounting of one broker lifetime, one row per subscription.</summary>
/// <param name="Epoch">1-based broker lifetime number.</param>
/// <param name="End">How it ended.</param>
/// <param name="Rows">One row per subscription.</param>
/// <param name="PublishCalls">All <c>PublishAsync</c> calls during it.</param>
/// <param name="BrokerPublished">PUBs the broker accepted (when killed: by the last STATS before the kill, -1 if none).</param>
public sealed record EpochAccount(int Epoch, EpochEnd End, IReadOnlyList<SubscriptionAccount> Rows, long PublishCalls, long BrokerPublished)
{
    /// <summary>Sum of the rows' matching counts.</summary>
    public long Matching => Rows.Sum(r => r.Matching);

    /// <summary>Sum of delivered (taken by the readers).</summary>
    public long Consumed => Rows.Sum(r => r.Consumed);

    /// <summary>Sum of client-side drops.</summary>
    public long ClientDropped => Rows.Sum(r => r.ClientDropped);

    /// <summary>Sum of broker-side drops.</summary>
    public long BrokerDropped => Rows.Sum(r => r.BrokerDropped);

    /// <summary>Sum of unaccounted events (lost in a crash).</summary>
    public long Unaccounted => Rows.Sum(r => r.Unaccounted);

    /// <summary>Everything that breaks the epoch's guarantee, described; empty when it holds.</summary>
    public IReadOnlyList<string> Violations()
    {
        var violations = new List<string>();
        foreach (var row in Rows)
        {
            if (End == EpochEnd.Graceful && !row.IsExact)
            {
                violations.Add($"epoch {Epoch} {row.Name} '{row.Pattern}': delivered {row.Consumed} + dropped {row.Dropped} (client {row.ClientDropped}, broker {row.BrokerDropped}) != matching {row.Matching}; broker queued {row.BrokerQueued}; client received {row.Received}");
            }

            // Killed: the counts cannot balance, but what arrived plus what the broker said it dropped can never
            // exceed what was published.
            if (End == EpochEnd.Killed && row.Received + row.BrokerDropped > row.Matching)
            {
                violations.Add($"epoch {Epoch} {row.Name} '{row.Pattern}': received {row.Received} + broker-dropped {row.BrokerDropped} > matching published {row.Matching}");
            }
        }

        return violations;
    }
}
