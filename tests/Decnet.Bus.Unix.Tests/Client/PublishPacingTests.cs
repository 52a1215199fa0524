using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Pacing: an awaited publish waits (bounded) while the client's send buffer is above its high-water mark, so a fast
/// publisher is slowed to the broker's reading speed instead of dropping; a broker that stops reading costs one
/// bounded wait, after which publishing goes on at once.
/// </summary>
public sealed class PublishPacingTests
{
    private const int _payloadBytes = 128;
    private static readonly Dictionary<string, byte[]> _payload = new() { ["blob"] = new byte[_payloadBytes] };

    [Fact]
    public async Task Publish_BrokerStopsReading_OneBoundedWait_ThenPublishesCompleteAtOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var stuck = await StuckConnection.OpenAsync(time);
        var (bus, broker, timeout) = (stuck.Bus, stuck.Broker, stuck.Timeout);

        var (held, published) = await FillUntilPacedOnAFullSocketAsync(bus, static _ => "pace.fill", CancellationToken.None, timeout.Token);

        Assert.False(held.IsCompleted, $"no publish was paced after {published} events of 128 bytes");
        // Each PUB here is under 256 bytes: nothing waits before the buffer really holds the high-water mark.
        Assert.True(published * 256L > ClientOutbox.PaceHighWaterBytes, $"paced after only {published} events");

        time.Advance(UnixSocketBus.PaceBound);
        await held.WaitAsync(timeout.Token);

        // The broker is now known not to read: no further publish waits, and none throws.
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(bus.PublishAsync("pace.after", _payload).IsCompletedSuccessfully, $"publish {i} after the stall was held");
        }

        Assert.Equal(0, bus.Counters.Dropped);
    }

    [Fact]
    public async Task CancellingAPacedPublish_EndsOnlyTheWait_TheEventIsAlreadyQueuedAndIsSent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var stuck = await StuckConnection.OpenAsync(time);
        var (bus, broker, timeout) = (stuck.Bus, stuck.Broker, stuck.Timeout);

        using var cancel = new CancellationTokenSource();
        var (held, published) = await FillUntilPacedOnAFullSocketAsync(bus, static n => $"pace.n{n}", cancel.Token, timeout.Token);
        var topic = $"pace.n{published - 1}";

        Assert.False(held.IsCompleted, "no publish was paced");
        await cancel.CancelAsync();

        // Bounded: a cancelled wait that never ends fails as a timeout here instead of hanging the run.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(TestBroker.Bound));
        Assert.True(await broker.ReadUntilTopicAsync(topic), $"the cancelled publish on {topic} never reached the broker");
        Assert.Equal(0, bus.Counters.Dropped);
    }

    [Fact]
    public async Task Publish_FlatOutAwaited_BrokerKeepsUp_NothingDroppedByThePublisher()
    {
        await using var broker = await TestBroker.StartAsync();

        // The client's clock never moves, so its pacing wait cannot time out: what is proved is that a paced publisher
        // loses nothing to a live broker, however long a loaded test machine keeps the in-process broker from reading.
        // (The bound itself is the previous test's subject.)
        var options = TestBroker.NewOptions(broker.SocketPath);
        options.ClientName = "pacer";
        await using var publisher = new UnixSocketBus(options, null, new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        const int Count = 200_000;
        await using var end = await publisher.SubscribeAsync("pace.end");
        await using var ends = end.GetAsyncEnumerator();

        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync("pace.flat", _payload);
        }

        // The echoed end marker left the client behind every PUB, so once it is back the broker has routed them all.
        await publisher.PublishAsync("pace.end", _payload);
        Assert.True(await ends.MoveNextAsync().AsTask().WaitAsync(TestBroker.Bound));
        var stats = await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);

        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(Count + 1, stats.Published);
    }

    [Fact]
    public async Task TwoPublishersHeldTogether_OneBlockingWhereItResumes_HoldsUpNotTheOther()
    {
        await using var stuck = await StuckConnection.OpenAsync(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var (bus, broker, timeout) = (stuck.Bus, stuck.Broker, stuck.Timeout);

        var (first, _) = await FillUntilPacedOnAFullSocketAsync(bus, static n => $"pace.n{n}", CancellationToken.None, timeout.Token);

        // A publish is held only while the outbox is above its high-water mark, and the send loop may have taken a
        // batch out of it since the first was held (the held ones go on only under the low-water mark, which a full
        // socket keeps the outbox from reaching): publish until one more is held.
        Task second;
        var seconds = 0;
        do
        {
            Assert.True(seconds < 100_000, "no second publish was held");
            second = bus.PublishAsync($"pace.second{seconds++}", _payload).AsTask();
        }
        while (second.IsCompleted);

        Assert.False(first.IsCompleted, "the first publisher was released before the second was held");

        // The first resumes and blocks until the second has resumed too: a release that ran both on one thread, one
        // after the other, would leave the first waiting out its bound.
        var sawSecond = first.ContinueWith(
            _ => second.Wait(TestBroker.Bound), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.True(await broker.ReadUntilTopicAsync($"pace.second{seconds - 1}"), "the second publish never reached the broker");
        Assert.True(await sawSecond.WaitAsync(timeout.Token), "the second publisher did not resume while the first blocked");
    }

    [Fact]
    public async Task AHoldBegunAfterAnEarlierOneEnded_WaitsItsOwnFullBound()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var stuck = await StuckConnection.OpenAsync(time);
        var (bus, broker, timeout) = (stuck.Bus, stuck.Broker, stuck.Timeout);

        // A first hold, ended halfway through its bound by the broker reading everything.
        var (first, published) = await FillUntilPacedOnAFullSocketAsync(bus, static n => $"pace.first{n}", CancellationToken.None, timeout.Token);
        time.Advance(UnixSocketBus.PaceBound / 2);
        Assert.True(await broker.ReadUntilTopicAsync($"pace.first{published - 1}"), "the first hold's publishes never reached the broker");
        await first.WaitAsync(timeout.Token);

        // A second hold: past the first one's bound, it is still held; at its own bound it ends, and pacing with it.
        var (second, _) = await FillUntilPacedOnAFullSocketAsync(bus, static n => $"pace.second{n}", CancellationToken.None, timeout.Token);
        time.Advance(UnixSocketBus.PaceBound / 2 + TimeSpan.FromMilliseconds(10));
        Assert.False(second.IsCompleted, "the second hold ended at the first hold's bound");
        time.Advance(UnixSocketBus.PaceBound / 2);
        await second.WaitAsync(timeout.Token);
        Assert.True(bus.PublishAsync("pace.after", _payload).IsCompletedSuccessfully, "a publish after the stall was held");
    }

    [Fact]
    public async Task TheTimerBoundingHolds_KeepsNoAsyncLocalOfThePublisherWhoseHoldMadeIt()
    {
        await using var stuck = await StuckConnection.OpenAsync(null);
        var (bus, broker, timeout) = (stuck.Bus, stuck.Broker, stuck.Timeout);

        // The first hold, made in a flow of its own with an async-local value set: the value must not outlive it.
        var (value, published) = await Task.Run(PublishUntilHeldWithAnAsyncLocal);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(value.IsAlive, "the pace timer kept the held publisher's ExecutionContext");
        Assert.True(await broker.ReadUntilTopicAsync($"pace.ctx{published - 1}"), "the held publishes never reached the broker");

        (WeakReference Value, int Published) PublishUntilHeldWithAnAsyncLocal()
        {
            var local = new AsyncLocal<object>();
            var payload = new object();
            local.Value = payload;
            var count = 0;
            while (true)
            {
                Assert.True(count < 1_000_000, "no publish was paced within a million events");
                if (!bus.PublishAsync($"pace.ctx{count++}", _payload).IsCompleted)
                {
                    return (new WeakReference(payload), count);
                }
            }
        }
    }

    /// <summary>
    /// A bus connected to a broker that stops reading after its handshake (<see cref="StuckBroker"/>), with the test's
    /// bound. The broker goes first at disposal: closing the stuck socket is what lets the bus's send loop end.
    /// </summary>
    private sealed class StuckConnection : IAsyncDisposable
    {
        private readonly TempSocketDir _dir = new();

        private StuckConnection(TimeProvider? time)
        {
            Bus = new UnixSocketBus(TestBroker.NewOptions(_dir.SocketPath), null, time);
            Broker = new StuckBroker(_dir.SocketPath);
        }

        public UnixSocketBus Bus { get; }

        public StuckBroker Broker { get; }

        public CancellationTokenSource Timeout { get; } = new(TestBroker.Bound);

        public static async Task<StuckConnection> OpenAsync(TimeProvider? time)
        {
            var stuck = new StuckConnection(time);
            await ConnectAsync(stuck.Bus, stuck.Broker, stuck.Timeout.Token);
            return stuck;
        }

        public async ValueTask DisposeAsync()
        {
            await Broker.DisposeAsync();
            await Bus.DisposeAsync();
            Timeout.Dispose();
            _dir.Dispose();
        }
    }

    private static async Task ConnectAsync(UnixSocketBus bus, StuckBroker broker, CancellationToken cancellationToken)
    {
        await bus.PublishAsync("pace.start", _payload);
        await broker.Welcomed.WaitAsync(cancellationToken);
        await bus.WaitForGenerationAsync(1, cancellationToken);
    }

    /// <summary>
    /// Publishes until one publish has to wait (the outbox is past the high-water mark) while the send loop waits for
    /// room in a full socket, and returns that held publish and the number of publishes made. A publish can be held
    /// before the loop has even run (on a loaded machine the whole outbox then still fits in the socket, and the held
    /// publish is released as the loop drains it): the fill then goes on until the socket is full too, so the stuck
    /// broker, not a late send loop, is what holds the publish.
    /// </summary>
    private static async Task<(Task Held, int Published)> FillUntilPacedOnAFullSocketAsync(
        UnixSocketBus bus, Func<int, string> topic, CancellationToken publishToken, CancellationToken bound)
    {
        var published = 0;
        while (true)
        {
            Task held;
            do
            {
                Assert.True(published < 1_000_000, "no publish was paced within a million events");
                held = bus.PublishAsync(topic(published), _payload, cancellationToken: publishToken).AsTask();
                published++;
            }
            while (held.IsCompleted);

            // Held is read from the outbox, not from the task: a release is decided under the outbox's gate, but the
            // awaiting publish resumes later on the pool, so a task not yet completed may already be released.
            var full = bus.SocketFullAsync();
            if (await Task.WhenAny(full, held).WaitAsync(bound) == full && bus.PacedPublishersHeld)
            {
                return (held, published);
            }

            // The loop drained the outbox into the socket before it filled up, which released the held publish (one
            // batch can do both: take the outbox under its low-water mark, then wait on the socket it filled).
            await held.WaitAsync(bound);
        }
    }
}
