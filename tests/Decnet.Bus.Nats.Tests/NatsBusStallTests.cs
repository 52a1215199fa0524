using System.Diagnostics;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A server that stops reading on an open connection (nats-server suspended with SIGSTOP; every TCP connection stays
/// up): publishes wait and lose nothing while the stall is short, keep their order, and after
/// <see cref="DecnetBusOptions.StallTimeout"/> drop and count at once until the server reads again (docs/cross-host.md).
/// </summary>
[RequiresNatsServer]
public sealed class NatsBusStallTests : IAsyncLifetime
{
    // About 1 KiB per event, 30 MB a flood: several times what the kernel's socket buffers hold, so against a
    // suspended server the publisher soon waits for room.
    internal const int Events = 30_000;
    private static readonly TimeSpan _bound = Read.Bound;
    private static readonly string _filler = new('x', 1000);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ServerStallsLongerThanASecond_PublishesWait_AndNothingIsLostOrDuplicated()
    {
        await using var rig = await StartAsync();
        var (subscriber, publisher, subscription) = (rig.Subscriber, rig.Publisher, rig.Subscription);

        Task publishing;
        _server.Suspend();
        try
        {
            publishing = FloodAsync(publisher, Events);
            await StallWait.UntilAsync(publisher, () => publisher.GetStats().PublishWaits > 0);

            // A caller that stops waiting for room gets its cancellation; the event is still sent (the IBus contract).
            using var cancel = new CancellationTokenSource();
            var cancelled = publisher.PublishAsync("stall.cancelled", new { n = 1 }, cancellationToken: cancel.Token);
            Assert.False(cancelled.IsCompleted);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask().WaitAsync(_bound));
        }
        finally
        {
            _server.Resume();
        }

        await publishing.WaitAsync(_bound);
        await publisher.PublishAsync("stall.end", new { n = 0 });

        // The flood and the cancelled publish come from different callers: no order between them.
        var events = await ReadUntilBothAsync(subscription, "stall.end", "stall.cancelled");
        Assert.Single(events, e => e.Topic == "stall.cancelled");
        Assert.Equal(Enumerable.Range(0, Events), Sequence(events));
        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(0, subscriber.GetStats().Disconnects);
        Assert.Equal(0, publisher.GetStats().Disconnects);
    }

    [Fact]
    public async Task ServerStalls_PublishesNotAwaitedOneByOne_AreWrittenInTheOrderTheyWereMade()
    {
        // Room for the whole flood in the publisher's queue (the default holds about half of it).
        await using var rig = await StartAsync(options => options.MaxQueueBytes = 64 * 1024 * 1024);
        var (publisher, subscription) = (rig.Publisher, rig.Subscription);

        List<Task> publishes;
        _server.Suspend();
        try
        {
            publishes = PublishWithoutAwaiting(publisher, Events);

            // Retries happen while the later publishes wait: they must not overtake the one retried.
            await StallWait.UntilAsync(publisher, () => publisher.GetStats().PublishWaits > 1);
        }
        finally
        {
            _server.Resume();
        }

        await Task.WhenAll(publishes).WaitAsync(_bound);
        await publisher.PublishAsync("stall.end", new { n = 0 });

        Assert.Equal(Enumerable.Range(0, Events), Sequence(await Read.UntilAsync(subscription, "stall.end")));
        Assert.Equal(0, publisher.Counters.Dropped);
    }

    [Fact]
    public async Task ServerStallsPastTheStallTimeout_PublishersWaitOnce_ThenDropAndCountAtOnce_UntilItReadsAgain()
    {
        await using var rig = await StartAsync(options => options.StallTimeout = TimeSpan.FromSeconds(2));
        var (publisher, subscription) = (rig.Publisher, rig.Subscription);

        // The whole flood ends while the server is still suspended: after one bounded wait, publishes drop at once.
        _server.Suspend();
        try
        {
            await FloodAsync(publisher, Events).WaitAsync(_bound);
            Assert.True(publisher.StallOutlasted);
        }
        finally
        {
            _server.Resume();
        }

        var counters = publisher.Counters;
        Assert.True(publisher.GetStats().PublishWaits > 0, "no publish waited before the drops began");
        Assert.True(counters.Dropped > 0, $"nothing was dropped: {counters}");

        // The probe notices the server reading again; from then on nothing is dropped.
        await StallWait.UntilAsync(publisher, () => !publisher.StallOutlasted);
        await FloodAsync(publisher, Events).WaitAsync(_bound);
        await publisher.PublishAsync("stall.end", new { n = 0 });

        // Every event is accounted for: delivered, or counted as dropped by the publisher; the second flood in full.
        var events = await Read.UntilAsync(subscription, "stall.end");
        Assert.Equal(counters.Dropped, publisher.Counters.Dropped);
        Assert.Equal(2 * Events, events.Count + counters.Dropped);
        Assert.Equal(Enumerable.Range(0, Events), Sequence(events).Skip(Events - (int)counters.Dropped));
        Assert.Equal(0, publisher.GetStats().Disconnects);
    }

    [Fact]
    public async Task ServerDiesWhilePublishesWaitForRoom_TheyAreDroppedAndCounted_AndDisposeStillCompletes()
    {
        var options = NatsTestOptions.For(_server, "publisher");
        options.StallTimeout = TimeSpan.FromMinutes(5);
        var publisher = new NatsBus(options);
        try
        {
            Assert.True(await publisher.WaitForConnectionAsync(_bound));
            _server.Suspend();
            var publishing = FloodAsync(publisher, Events);
            await StallWait.UntilAsync(publisher, () => publisher.GetStats().PublishWaits > 0);
            var closed = publisher.Closed;
            await _server.StopAsync();
            await closed.WaitAsync(_bound);

            // Well inside the 5-minute stall bound: the publish waiting for room ended with its connection.
            await publishing.WaitAsync(_bound);
            var counters = publisher.Counters;
            Assert.Equal(Events, counters.Published);
            Assert.True(counters.Dropped > 0, $"nothing was dropped: {counters}");
        }
        finally
        {
            // The client's write buffer is still full of the dead connection's bytes.
            await publisher.DisposeAsync().AsTask().WaitAsync(_bound);
        }
    }

    [Fact]
    public async Task ServerStalls_DisposeWithManySubscriptions_IsBoundedByTheFlushBound_NotByOneCommandTimeoutEach()
    {
        var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        Assert.True(await publisher.WaitForConnectionAsync(_bound));
        var subscriptions = new List<IBusSubscription>();
        for (var i = 0; i < 20; i++)
        {
            subscriptions.Add(await publisher.SubscribeAsync($"stall.dispose.{i}.>"));
        }

        _server.Suspend();
        try
        {
            var publishing = FloodAsync(publisher, Events);
            await StallWait.UntilAsync(publisher, () => publisher.GetStats().PublishWaits > 0);

            // The flush bound and the close (1.1 s idle, up to 3 s on a loaded machine); before, each UNSUB waited the
            // 1 s command timeout in turn (11 s with 10 subscriptions).
            var disposing = Stopwatch.StartNew();
            await publisher.DisposeAsync();
            disposing.Stop();

            Assert.InRange(disposing.Elapsed, TimeSpan.Zero, 5 * NatsBus.DisposeFlushBound);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => publishing.WaitAsync(_bound));
            foreach (var subscription in subscriptions)
            {
                await using var events = subscription.GetAsyncEnumerator();
                Assert.False(await events.MoveNextAsync());
            }
        }
        finally
        {
            _server.Resume();
        }
    }

    [Fact]
    public async Task ServerDiesWithPublishesQueuedBehindAWait_EveryOneEndsAtOnce_DroppedAndCounted()
    {
        var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        try
        {
            Assert.True(await publisher.WaitForConnectionAsync(_bound));
            _server.Suspend();
            var publishes = PublishWithoutAwaiting(publisher, Events);

            await StallWait.UntilAsync(publisher, () => publisher.GetStats().PublishWaits > 0);
            var queued = publishes.Count(p => !p.IsCompleted);
            Assert.True(queued > 1_000, $"only {queued} publishes wait");
            await _server.StopAsync();

            // Thousands of queued publishes, and the client would hold each for a reconnect for a second. All are
            // counted as dropped but those written into the dead connection's write buffer as it drained (64 KiB, about
            // 60 events), which are lost uncounted, as events in flight are.
            await Task.WhenAll(publishes).WaitAsync(_bound);
            Assert.True(publisher.Counters.Dropped >= queued - 100, $"{queued} waited, {publisher.Counters}");
        }
        finally
        {
            await publisher.DisposeAsync().AsTask().WaitAsync(_bound);
        }
    }

    [Fact]
    public async Task ServerStalls_PublishesPastMaxQueueBytes_AreDroppedAndCountedAtOnce_TheRestArriveInOrder()
    {
        await using var rig = await StartAsync(options => options.MaxQueueBytes = 1024 * 1024);
        var (publisher, subscription) = (rig.Publisher, rig.Subscription);

        List<Task> publishes;
        _server.Suspend();
        try
        {
            publishes = PublishWithoutAwaiting(publisher, Events);

            // Past the first megabyte queued, each publish ends at once, dropped and counted.
            Assert.True(publisher.Counters.Dropped > 0, $"nothing was dropped: {publisher.Counters}");
            Assert.True(publishes[^1].IsCompleted);
        }
        finally
        {
            _server.Resume();
        }

        await Task.WhenAll(publishes).WaitAsync(_bound);
        await publisher.PublishAsync("stall.end", new { n = 0 });

        var sequence = Sequence(await Read.UntilAsync(subscription, "stall.end")).ToList();
        Assert.Equal(Events, sequence.Count + publisher.Counters.Dropped);
        Assert.Equal(sequence.Order(), sequence);
    }

    /// <summary>Publishes <paramref name="count"/> events of about 1 KiB, sequence numbers from 0, each awaited.</summary>
    private static Task FloodAsync(NatsBus publisher, int count) => Task.Run(async () =>
    {
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync("stall.event", new FilledPayload { Seq = i, Filler = _filler });
        }
    });

    private Task<StallRig> StartAsync(Action<DecnetBusOptions>? configurePublisher = null)
    {
        var options = NatsTestOptions.For(_server, "publisher");
        configurePublisher?.Invoke(options);
        return StallRig.StartAsync(_server, options);
    }

    /// <summary>Makes <paramref name="count"/> publishes one after another without awaiting any; their tasks in order.</summary>
    private static List<Task> PublishWithoutAwaiting(NatsBus publisher, int count)
    {
        var publishes = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            publishes.Add(publisher.PublishAsync("stall.event", new FilledPayload { Seq = i, Filler = _filler }).AsTask());
        }

        return publishes;
    }

    private static IEnumerable<int> Sequence(IEnumerable<BusEvent> events)
        => events.Where(e => e.Topic == "stall.event").Select(e => e.ReadPayload<FilledPayload>().Seq);

    /// <summary>Reads until events on both topics have arrived, in either order.</summary>
    private static async Task<List<BusEvent>> ReadUntilBothAsync(IBusSubscription subscription, string first, string second)
    {
        var events = new List<BusEvent>();
        using var timeout = new CancellationTokenSource(_bound);
        await using var enumerator = subscription.GetAsyncEnumerator(timeout.Token);
        while (!(events.Exists(e => e.Topic == first) && events.Exists(e => e.Topic == second)))
        {
            Assert.True(await enumerator.MoveNextAsync(), $"subscription {subscription.Pattern} ended");
            events.Add(enumerator.Current);
        }

        return events;
    }
}

/// <summary>
/// A subscriber on <c>stall.&gt;</c> with room for four floods, and a publisher that is connected, on one server; disposed
/// together.
/// </summary>
internal sealed class StallRig : IAsyncDisposable
{
    private StallRig(NatsBus subscriber, NatsBus publisher, IBusSubscription subscription)
        => (Subscriber, Publisher, Subscription) = (subscriber, publisher, subscription);

    public NatsBus Subscriber { get; }

    public NatsBus Publisher { get; }

    public IBusSubscription Subscription { get; }

    public static async Task<StallRig> StartAsync(NatsServer server, DecnetBusOptions publisherOptions)
    {
        var subscriber = new NatsBus(NatsTestOptions.For(server, "subscriber", queueSize: 4 * NatsBusStallTests.Events));
        var publisher = new NatsBus(publisherOptions);
        var rig = new StallRig(subscriber, publisher, await subscriber.SubscribeAsync("stall.>"));
        Assert.True(await publisher.WaitForConnectionAsync(Read.Bound));
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        await Subscription.DisposeAsync();
        await Publisher.DisposeAsync();
        await Subscriber.DisposeAsync();
    }
}

/// <summary>A sequence number padded to about 1 KiB.</summary>
public sealed class FilledPayload
{
    /// <summary>Position in the publisher's sequence.</summary>
    public int Seq { get; set; }

    /// <summary>Padding.</summary>
    public string Filler { get; set; } = string.Empty;
}
