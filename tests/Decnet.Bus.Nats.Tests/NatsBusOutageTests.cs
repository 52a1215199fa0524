using Decnet.Bus.Conformance;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>What the NATS transport does when the server goes away and comes back (docs/cross-host.md).</summary>
[RequiresNatsServer]
public sealed class NatsBusOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Publish_WhileServerDown_NeverThrows_DropsAndCountsEachEvent()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(_server));
        await using var live = await bus.SubscribeAsync("outage.probe");
        Assert.True(bus.IsConnected);

        var closed = bus.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);
        for (var i = 0; i < 10; i++)
        {
            await bus.PublishAsync("outage.down", new SequencePayload { Seq = i });
        }

        Assert.Equal(new BusCounters(10, 0, 10), bus.Counters);
    }

    [Fact]
    public async Task Publish_ServerNeverReachable_ReturnsAfterTheFirstAttempt_AndCountsTheDrop()
    {
        var options = NatsTestOptions.For(_server);
        await _server.StopAsync();
        await using var bus = new NatsBus(options);

        await bus.PublishAsync("outage.never", new { n = 1 }).AsTask().WaitAsync(_bound);
        await bus.PublishAsync("outage.never", new { n = 2 }).AsTask().WaitAsync(_bound);

        Assert.Equal(new BusCounters(2, 0, 2), bus.Counters);
        Assert.False(bus.IsConnected);
    }

    [Fact]
    public async Task ServerRestart_SubscriptionIsReestablished_CountsOneReconnect_AndReceivesAgain()
    {
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "subscriber"));
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var subscription = await subscriber.SubscribeAsync("restart.>");
        await publisher.PublishAsync("restart.before", new { n = 1 });
        Assert.Equal("restart.before", (await Read.OneAsync(subscription)).Topic);

        var subscriberClosed = subscriber.Closed;
        var publisherClosed = publisher.Closed;
        await _server.RestartAsync();
        await subscriberClosed.WaitAsync(_bound);
        await publisherClosed.WaitAsync(_bound);
        await subscriber.Opened.WaitAsync(_bound);
        await publisher.Opened.WaitAsync(_bound);

        await publisher.PublishAsync("restart.after", new { n = 2 });

        Assert.Equal("restart.after", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(1, subscription.Reconnected);
        Assert.Equal(1, subscriber.GetStats().Reconnects);
        Assert.Equal(1, subscriber.GetStats().Disconnects);
    }

    [Fact]
    public async Task Subscribe_WhileServerDown_ReturnsWithoutThrowing_AndGoesLiveWhenItStarts()
    {
        var options = NatsTestOptions.For(_server, "late");
        await _server.StopAsync();
        await using var subscriber = new NatsBus(options);
        await using var subscription = await subscriber.SubscribeAsync("late.>").AsTask().WaitAsync(_bound + NatsBus.SubscribeWaitBound);
        Assert.False(subscriber.IsConnected);

        await _server.RestartAsync();
        await subscriber.Opened.WaitAsync(_bound);
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var witness = await publisher.SubscribeAsync("late.>");
        await publisher.PublishAsync("late.event", new { n = 1 });

        Assert.Equal("late.event", (await Read.OneAsync(witness)).Topic);
        Assert.Equal("late.event", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(0, subscription.Reconnected);
    }

    [Fact]
    public async Task ServerStallsLongerThanASecond_OnAnOpenConnection_PublishesWait_AndNothingIsLostOrDuplicated()
    {
        const int Events = 30_000;
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "subscriber", queueSize: 2 * Events));
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var subscription = await subscriber.SubscribeAsync("stall.>");
        await publisher.PublishAsync("stall.first", new { n = 0 });
        Assert.Equal("stall.first", (await Read.OneAsync(subscription)).Topic);

        _server.Suspend();
        var publishing = FloodAsync(publisher, Events);
        await UntilAsync(() => publisher.GetStats().PublishWaits > 0);

        // A caller that stops waiting for room gets its cancellation; the event itself is still sent (the IBus contract).
        using var cancel = new CancellationTokenSource();
        var cancelled = publisher.PublishAsync("stall.cancelled", new { n = 1 }, cancellationToken: cancel.Token);
        Assert.False(cancelled.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask().WaitAsync(_bound));

        _server.Resume();
        await publishing.WaitAsync(_bound);
        await publisher.PublishAsync("stall.end", new { n = 0 });

        var events = await ReadUntilBothAsync(subscription, "stall.end", "stall.cancelled");
        Assert.Single(events, e => e.Topic == "stall.cancelled");
        Assert.Equal(Enumerable.Range(0, Events), events.Where(e => e.Topic == "stall.event").Select(e => e.ReadPayload<FilledPayload>().Seq));
        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(0, subscriber.GetStats().Disconnects);
        Assert.Equal(0, publisher.GetStats().Disconnects);
    }

    [Fact]
    public async Task ServerStallsPastTheStallTimeout_PublishersWaitOnce_ThenDropAndCountAtOnce_UntilItReadsAgain()
    {
        const int Events = 30_000;
        var options = NatsTestOptions.For(_server, "publisher");
        options.StallTimeout = TimeSpan.FromSeconds(2);
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "subscriber", queueSize: 2 * Events));
        await using var publisher = new NatsBus(options);
        await using var subscription = await subscriber.SubscribeAsync("stall.>");
        Assert.True(await publisher.WaitForConnectionAsync(_bound));

        // The whole flood ends while the server is still suspended: after one bounded wait, publishes drop at once.
        _server.Suspend();
        await FloodAsync(publisher, Events).WaitAsync(_bound);
        _server.Resume();
        Assert.True(await publisher.FlushAsync(_bound), $"flush failed: {publisher.GetStats()}");
        await publisher.PublishAsync("stall.end", new { n = 0 });

        // Every event is accounted for: delivered, or counted as dropped by the publisher.
        var delivered = (await Read.UntilAsync(subscription, "stall.end")).Count;
        var counters = publisher.Counters;
        Assert.True(counters.Dropped > 0, $"nothing was dropped: {counters}");
        Assert.Equal(Events, delivered + counters.Dropped);
        Assert.Equal(0, publisher.GetStats().Disconnects);
    }

    [Fact]
    public async Task ServerDiesWhilePublishesWaitForRoom_TheyAreDroppedAndCounted_AndDisposeStillCompletes()
    {
        const int Events = 30_000;
        var options = NatsTestOptions.For(_server, "publisher");
        options.StallTimeout = TimeSpan.FromMinutes(5);
        var publisher = new NatsBus(options);
        Assert.True(await publisher.WaitForConnectionAsync(_bound));

        _server.Suspend();
        var publishing = FloodAsync(publisher, Events);
        await UntilAsync(() => publisher.GetStats().PublishWaits > 0);
        var closed = publisher.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);

        // Well inside the 5-minute stall bound: the publish waiting for room ended with its connection.
        await publishing.WaitAsync(_bound);
        var counters = publisher.Counters;
        Assert.Equal(Events, counters.Published);
        Assert.True(counters.Dropped > 0, $"nothing was dropped: {counters}");

        // The client's write buffer is still full of the dead connection's bytes.
        await publisher.DisposeAsync().AsTask().WaitAsync(_bound);
    }

    /// <summary>
    /// Publishes <paramref name="count"/> events of about 1 KiB (sequence numbers from 0): many times what the kernel's
    /// socket buffers hold, so against a suspended server the publisher soon waits for room.
    /// </summary>
    private static Task FloodAsync(NatsBus publisher, int count) => Task.Run(async () =>
    {
        var filler = new string('x', 1000);
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync("stall.event", new FilledPayload { Seq = i, Filler = filler });
        }
    });

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

    /// <summary>Polls <paramref name="condition"/> until it holds; the bound is a failure limit only.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(_bound);
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeout.Token);
        }
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
