using Decnet.Bus.Soak.Accounting;
using Decnet.Bus.Unix;

namespace Decnet.Bus.Soak.Load;

public sealed partial class LoadHarness
{
    /// <summary>
    /// Ends an epoch exactly, with the broker still up: pauses the publishers, proves each one's PUBs were all routed
    /// (STATS barrier), takes the broker's per-connection rows, waits until every subscriber has received what the
    /// broker queued for it, and accounts every subscription. Publishers stay paused (call <see cref="Resume"/>).
    /// </summary>
    public async Task<EpochAccount> BalanceAsync(int epoch)
    {
        await _gate.PauseAsync(_bound);
        await Task.WhenAll(_publishers.Select(BarrierAsync));

        // After every barrier nothing more is routed: these rows are final for this broker.
        var stats = await _publishers[0].Bus.GetBrokerStatsAsync();
        var rows = stats.Connections.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var published = _publishers.Select(p => rows.TryGetValue(p.Name, out var row) ? row.Published : 0).ToArray();

        foreach (var subscriber in _subscribers)
        {
            subscriber.Release();
        }

        var accounts = new SubscriptionAccount[_subscribers.Count];
        await Task.WhenAll(_subscribers.Select(async (s, i) =>
        {
            var row = rows.GetValueOrDefault(s.Name) ?? throw new InvalidOperationException($"{s.Name} has no row in the broker's STATS");
            var baseReceived = _baseline.Received[i];
            var expected = row.Delivered - row.Dropped;

            // The broker sends every queued event to a reader that keeps reading; wait until all have arrived and
            // been taken (or dropped by the client queue). More than expected is a failure too (checked below).
            await s.Changes.WaitAsync(
                () => s.Received - baseReceived >= expected && s.IsDrained,
                _bound,
                () => $"{s.Name}: received {s.Received - baseReceived} of the {expected} the broker queued and did not drop");
            var matching = Matching(s.Pattern, published);
            accounts[i] = new SubscriptionAccount(
                s.Name,
                s.Pattern,
                matching,
                s.Received - baseReceived,
                s.Consumed - _baseline.Consumed[i],
                s.Dropped - _baseline.Dropped[i],
                row.Dropped,
                row.Delivered);
        }));

        return new EpochAccount(epoch, EpochEnd.Graceful, accounts, PublishCallsSinceBaseline(), published.Sum());
    }

    /// <summary>
    /// Accounts an epoch whose broker was killed, after <see cref="QuietAsync"/>. The broker's counters died with
    /// it, so "matching" is the matching publish calls made during the epoch (including those the clients dropped
    /// while the broker was unreachable) and the difference to what arrived is reported as lost.
    /// </summary>
    public EpochAccount CloseKilledEpoch(int epoch)
    {
        var calls = _publishers.Select((p, i) => p.Calls - _baseline.PublishCalls[i]).ToArray();
        var accounts = _subscribers.Select((s, i) => new SubscriptionAccount(
            s.Name,
            s.Pattern,
            Matching(s.Pattern, calls),
            s.Received - _baseline.Received[i],
            s.Consumed - _baseline.Consumed[i],
            s.Dropped - _baseline.Dropped[i],
            BrokerDropped: 0,
            BrokerQueued: -1)).ToArray();
        return new EpochAccount(epoch, EpochEnd.Killed, accounts, calls.Sum(), -1);
    }

    /// <summary>Subscribers whose counts moved since <paramref name="balanced"/> was taken (nothing may arrive after a balance).</summary>
    public IReadOnlyList<string> ChangedSince(EpochAccount balanced)
    {
        ArgumentNullException.ThrowIfNull(balanced);
        return [.. _subscribers
            .Select((s, i) => (s, i))
            .Where(x => x.s.Received - _baseline.Received[x.i] != balanced.Rows[x.i].Received)
            .Select(x => $"{x.s.Name}: received {x.s.Received - _baseline.Received[x.i]} after the balance counted {balanced.Rows[x.i].Received}")];
    }

    private long PublishCallsSinceBaseline() => _publishers.Select((p, i) => p.Calls - _baseline.PublishCalls[i]).Sum();

    private long Matching(string pattern, long[] perPublisher)
    {
        long sum = 0;
        for (var i = 0; i < _publishers.Length; i++)
        {
            if (Topics.Matches(pattern, _publishers[i].Topic))
            {
                sum += perPublisher[i];
            }
        }

        return sum;
    }

    /// <summary>
    /// Proves that everything <paramref name="publisher"/> sent has been routed. One STATS round trip is not enough:
    /// the client sends control frames (STATS) ahead of PUBs still in its outbox. So it repeats STATS until two
    /// replies in a row show the same <c>published</c> count for its connection: PUBs left in the outbox when the first
    /// STATS went out would have been written right behind it and counted before the second.
    /// </summary>
    private static async Task BarrierAsync(LoadPublisher publisher)
    {
        long previous = -1;
        for (var round = 0; round < 1000; round++)
        {
            var stats = await publisher.Bus.GetBrokerStatsAsync();
            var row = stats.Connections.FirstOrDefault(r => r.Name == publisher.Name)
                ?? throw new InvalidOperationException($"{publisher.Name} is not connected to the broker at the barrier");
            if (row.Published == previous)
            {
                return;
            }

            previous = row.Published;
        }

        throw new InvalidOperationException($"{publisher.Name}: published count still moving after 1000 STATS round trips");
    }
}
