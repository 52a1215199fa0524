using Decnet.Bus.Soak.Accounting;
using Decnet.Bus.Unix;

namespace Decnet.Bus.Soak.Load;

public sealed partial class LoadHarness
{
    /// <summary>How many times a settle may start again because STATS moved (a heartbeat every 5 s moves it about once).</summary>
    private const int _maxSettles = 10;

    /// <summary>
    /// Starts an exact accounting window with the broker up and every subscription live: pauses the publishers,
    /// barriers them, takes the broker's rows, lets every subscriber drain what was queued so far, and records all
    /// counters as the window's start. Then resumes the publishers. Needed after a restart: publishers that reconnect
    /// before a subscriber has re-subscribed publish events that subscription could never match.
    /// </summary>
    public async Task MarkAsync()
    {
        var (published, queued, dropped, own, clients) = await SettleAsync();
        _baseline = EpochBaseline.Take(clients, published, queued, dropped, own);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Hold();
        }

        _gate.Resume();
    }

    /// <summary>
    /// Ends the accounting window exactly, with the broker still up: pauses the publishers, proves each one's PUBs
    /// were all routed (STATS barrier), takes the broker's per-connection rows, waits until every subscriber has
    /// received what the broker queued for it, and accounts every subscription against the window's start. Publishers
    /// stay paused (call <see cref="Resume"/>).
    /// </summary>
    public async Task<EpochAccount> BalanceAsync(int epoch)
    {
        var (published, queued, dropped, own, clients) = await SettleAsync();
        _balanced = (epoch, clients);
        var calls = _publishers.Select((p, i) => published[i] - _baseline.BrokerPublished[i]).ToArray();
        var health = own - _baseline.BrokerOwnPublished;
        var accounts = _subscribers.Select((s, i) => new SubscriptionAccount(
            s.Name,
            s.Pattern,
            Matching(s.Pattern, calls) + (Topics.Matches(s.Pattern, Topics.SystemBusHealth) ? health : 0),
            clients.Received[i] - _baseline.Received[i],
            clients.Consumed[i] - _baseline.Consumed[i],
            clients.Dropped[i] - _baseline.Dropped[i],
            dropped[i] - _baseline.BrokerDropped[i],
            queued[i] - _baseline.BrokerQueued[i])).ToArray();
        return new EpochAccount(epoch, EpochEnd.Graceful, accounts, clients.PublishCalls.Select((c, i) => c - _baseline.PublishCalls[i]).Sum(), calls.Sum());
    }

    /// <summary>
    /// Reads the broker's rows just before it is killed (under load, publishers running). The broker's counters die
    /// with it, so this is the last word on what it dropped: a lower bound, since the load goes on until the kill.
    /// </summary>
    public async Task SnapshotBeforeKillAsync()
    {
        var stats = await _publishers[0].Bus.GetBrokerStatsAsync();
        var rows = stats.Connections.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _preKill = new PreKillSnapshot(
            _publishers.Sum(p => rows.GetValueOrDefault(p.Name)?.Published ?? 0),
            [.. _subscribers.Select(s => rows.GetValueOrDefault(s.Name)?.Dropped ?? 0)]);
    }

    /// <summary>
    /// Accounts an epoch whose broker was killed, after <see cref="QuietAsync"/>. "Matching" is the matching publish
    /// calls made during the epoch (including those the clients dropped while the broker was unreachable, and those
    /// made before a subscription was re-subscribed); broker drops are as of <see cref="SnapshotBeforeKillAsync"/>;
    /// what remains is reported as unaccounted (lost in the crash, dropped after the snapshot, or published while a
    /// client was away).
    /// </summary>
    public EpochAccount CloseKilledEpoch(int epoch)
    {
        var calls = _publishers.Select((p, i) => p.Calls - _baseline.PublishCalls[i]).ToArray();
        var preKill = _preKill;
        _preKill = null;

        // The broker's own health events are not publish calls; those that arrived were certainly published.
        var accounts = _subscribers.Select((s, i) => new SubscriptionAccount(
            s.Name,
            s.Pattern,
            Matching(s.Pattern, calls) + s.BrokerEvents - _baseline.BrokerEvents[i],
            s.Received - _baseline.Received[i],
            s.Consumed - _baseline.Consumed[i],
            s.Dropped - _baseline.Dropped[i],
            BrokerDropped: preKill?.Dropped[i] ?? 0,
            BrokerQueued: -1)).ToArray();
        return new EpochAccount(epoch, EpochEnd.Killed, accounts, calls.Sum(), preKill?.Published ?? -1);
    }

    /// <summary>
    /// Subscribers that received a published event after <paramref name="balanced"/> was taken (nothing may arrive
    /// after a balance). The broker's own heartbeats go on while the publishers are paused, so they are left out.
    /// </summary>
    public IReadOnlyList<string> ChangedSince(EpochAccount balanced)
    {
        ArgumentNullException.ThrowIfNull(balanced);
        if (_balanced is not ({ } epoch, { } at) || epoch != balanced.Epoch)
        {
            throw new InvalidOperationException($"epoch {balanced.Epoch} is not the last one balanced");
        }

        return [.. _subscribers
            .Select((s, i) => (s, i, moved: (s.Received - s.BrokerEvents) - (at.Received[i] - at.BrokerEvents[i])))
            .Where(x => x.moved != 0)
            .Select(x => $"{x.s.Name}: received other than heartbeats moved by {x.moved} after the balance counted {balanced.Rows[x.i].Received}")];
    }

    /// <summary>
    /// Pauses and barriers the publishers, takes the broker's rows (final: nothing more is routed), releases the
    /// laggards and waits until each subscriber has received everything the broker queued and did not drop, then reads
    /// the clients' counters. Returns per-publisher published and per-subscriber queued and dropped counts from the
    /// broker, how many events the broker published itself (its <c>system.bus.health</c> heartbeats: the total minus
    /// every row), and the clients' counters.
    /// </summary>
    /// <remarks>
    /// Heartbeats go on while the publishers are paused (every 5 s by default), so one can be routed after the rows
    /// were taken and reach a subscriber before its counters are read: it then counted as received but not as
    /// published (a `>` subscription one over; 2 of 3 runs of the client accounting test beside three busy loops).
    /// So STATS is taken again after the clients' counters, and the settle is done again on the newer reply unless
    /// the two agree on every row and on the total (so on the broker's own count too): a reply is not one atomic reading (rows first, then
    /// totals, and a heartbeat counts in each subscriber's row as it is queued and in the total after), so one taken
    /// while a heartbeat was half-routed differs from the next. Bounded by <see cref="_maxSettles"/>.
    /// </remarks>
    private async Task<(long[] Published, long[] Queued, long[] Dropped, long Own, ClientCounts Clients)> SettleAsync()
    {
        await _gate.PauseAsync(_bound);
        await Task.WhenAll(_publishers.Select(BarrierAsync));
        var stats = await _publishers[0].Bus.GetBrokerStatsAsync();
        for (var settle = 1; ; settle++)
        {
            var rows = stats.Connections.ToDictionary(r => r.Name, StringComparer.Ordinal);
            var published = _publishers.Select(p => rows.TryGetValue(p.Name, out var row) ? row.Published : 0).ToArray();
            var subscriberRows = _subscribers
                .Select(s => rows.GetValueOrDefault(s.Name) ?? throw new InvalidOperationException($"{s.Name} has no row in the broker's STATS"))
                .ToArray();
            foreach (var subscriber in _subscribers)
            {
                subscriber.Release();
            }

            // The broker sends every queued event to a reader that keeps reading; wait until all have arrived and been
            // taken (or dropped by the client queue). Receiving more than that is caught by the accounting.
            await Task.WhenAll(_subscribers.Select((s, i) =>
            {
                var since = _baseline.Received[i];
                var expected = subscriberRows[i].Delivered - subscriberRows[i].Dropped - (_baseline.BrokerQueued[i] - _baseline.BrokerDropped[i]);
                return s.Changes.WaitAsync(
                    () => s.Received - since >= expected && s.IsDrained,
                    _bound,
                    () => $"{s.Name}: received {s.Received - since} of the {expected} the broker queued and did not drop");
            }));
            var clients = ClientCounts.Take(_publishers, _subscribers);
            var again = await _publishers[0].Bus.GetBrokerStatsAsync();
            if (again.Published == stats.Published && SameRows(stats, again))
            {
                return (published, [.. subscriberRows.Select(r => r.Delivered)], [.. subscriberRows.Select(r => r.Dropped)], stats.Published - stats.Connections.Sum(r => r.Published), clients);
            }

            if (settle == _maxSettles)
            {
                throw new InvalidOperationException($"the broker's STATS still moved after {_maxSettles} settles with the publishers paused");
            }

            stats = again;
        }

        static bool SameRows(BrokerStats first, BrokerStats second)
            => first.Connections.Count == second.Connections.Count
                && first.Connections.OrderBy(r => r.Name, StringComparer.Ordinal)
                    .Zip(second.Connections.OrderBy(r => r.Name, StringComparer.Ordinal))
                    .All(p => p.First.Name == p.Second.Name && p.First.Published == p.Second.Published
                        && p.First.Delivered == p.Second.Delivered && p.First.Dropped == p.Second.Dropped);
    }

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
