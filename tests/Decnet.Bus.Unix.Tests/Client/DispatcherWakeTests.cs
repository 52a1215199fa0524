using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The receive loop's wake-ups of handler subscriptions on a live delivery loop: the first event a read brings a
/// subscription wakes it inside the append's lock, the end of the read wakes only those that got more after that
/// (docs/performance-history.md, part 5); a run of events for one subscription is queued under one hold of its lock
/// (docs/performance.md, part 11). Every event must still be handled once and counted as delivered once.
/// </summary>
public sealed class DispatcherWakeTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneEventPerSubscriptionPerRead_AsW4Sends_IsHandledAndCountedOnce()
    {
        const int Subscriptions = 500;
        const int Reads = 200;
        await using var rig = new Rig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => HandlerAllocationTests.EvtBody((uint)sid)).ToArray();

        for (var read = 0; read < Reads; read++)
        {
            foreach (var body in bodies)
            {
                rig.Dispatcher.Deliver(body);
            }

            rig.Dispatcher.EndOfRead();
        }

        await rig.AssertAllHandledAsync(Subscriptions * Reads);
    }

    [Fact]
    public async Task ManyEventsPerSubscriptionPerRead_WhileTheLoopDrainsTheFirst_AreHandledAndCountedOnce()
    {
        const int Subscriptions = 4;
        const int Reads = 2_000;
        await using var rig = new Rig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => HandlerAllocationTests.EvtBody((uint)sid)).ToArray();

        // Runs of 1 to 7 events per subscription: the loop, woken by a run's first event, often drains it and parks
        // before the rest arrive, and only the end of the read wakes it again.
        for (var read = 0; read < Reads; read++)
        {
            foreach (var body in bodies)
            {
                for (var i = 0; i <= read % 7; i++)
                {
                    rig.Dispatcher.Deliver(body);
                }
            }

            rig.Dispatcher.EndOfRead();
        }

        var perRound = Enumerable.Range(0, Reads).Sum(read => (read % 7) + 1);
        await rig.AssertAllHandledAsync(Subscriptions * perRound);
    }

    [Fact]
    public async Task RunsOfEventsQueuedUnderOneLock_AsTheReceiveLoopQueuesThem_AreHandledAndCountedOnce()
    {
        const int Subscriptions = 3;
        const int Reads = 1_000;
        await using var rig = new Rig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => HandlerAllocationTests.EvtBody((uint)sid).FirstSpan.ToArray()).ToArray();

        // As the receive loop does: each subscription's run of 1 to 100 events is queued under one hold of its lock,
        // released every HeldRunLength appends and at the run's end, while the live loop takes from the same rings.
        for (var read = 0; read < Reads; read++)
        {
            foreach (var body in bodies)
            {
                for (var i = 0; i <= read % 100; i++)
                {
                    Assert.True(rig.Dispatcher.TryDeliver(body));
                }
            }

            rig.Dispatcher.EndRun();
            rig.Dispatcher.EndOfRead();
        }

        var perRound = Enumerable.Range(0, Reads).Sum(read => (read % 100) + 1);
        await rig.AssertAllHandledAsync(Subscriptions * perRound);
    }

    [Fact]
    public async Task RunsOfEventsQueuedUnderOneLock_OnAnEnumerableSubscription_AreReadInOrderAndCountedOnce()
    {
        const int Reads = 1_000;
        var counters = new BusCounterSet("test");
        await using var queue = new ChannelSubscription("a.>", 1 << 16, counters, null);
        var subscription = new ClientSubscription(1, "a.>", queue);
        var dispatcher = new EventDispatcher(sid => sid == 1 ? subscription : null, NullLogger.Instance, waitsForCatchUp: false);
        var expected = Enumerable.Range(0, Reads).Sum(read => (read % 100) + 1);
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var evt in queue)
            {
                Assert.Equal("a.b", evt.Topic);
                if (++count == expected)
                {
                    return count;
                }
            }

            return count;
        });

        var body = HandlerAllocationTests.EvtBody().FirstSpan.ToArray();
        for (var read = 0; read < Reads; read++)
        {
            for (var i = 0; i <= read % 100; i++)
            {
                Assert.True(dispatcher.TryDeliver(body));
            }

            dispatcher.EndRun();
            dispatcher.EndOfRead();
        }

        Assert.Equal(expected, await reading.WaitAsync(_bound));
        Assert.Equal(expected, queue.Received);
        Assert.Equal(0, queue.Dropped);
        Assert.Equal(expected, counters.Snapshot.Delivered);
    }

    [Fact]
    public async Task ALongRun_LetsTheLockGoEveryHeldRunLengthAppends_SoTheConsumerCanTakeMeanwhile()
    {
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync(); // stopped: this test takes the events itself
        // Disposed at the end only: were a hold never let go, disposing (which takes the lock) would hang the test.
        var queue = new HandlerSubscription("a.>", 1024, (_, _) => ValueTask.CompletedTask, loop, null, null);
        var subscription = new ClientSubscription(1, "a.>", queue);
        var dispatcher = new EventDispatcher(sid => sid == 1 ? subscription : null, NullLogger.Instance, waitsForCatchUp: false);
        var body = HandlerAllocationTests.EvtBody().FirstSpan.ToArray();
        for (var i = 0; i < 2 * EventDispatcher.HeldRunLength; i++)
        {
            Assert.True(dispatcher.TryDeliver(body));
        }

        // The run is still open (no EndRun), but its second hold ended with its last append: another thread takes now.
        var deliveries = new BusDelivery[DeliveryLoop.Turn];
        var spares = new byte[]?[DeliveryLoop.Turn];
        var taken = await Task.Run(() => queue.TakeMany(deliveries, spares, out _)).WaitAsync(_bound);
        Assert.Equal(2 * EventDispatcher.HeldRunLength, taken);

        // The next append opens a new hold, which EndRun lets go.
        Assert.True(dispatcher.TryDeliver(body));
        dispatcher.EndRun();
        Assert.Equal(2 * EventDispatcher.HeldRunLength + 1, queue.Received);
        var rest = await Task.Run(() => queue.TakeMany(deliveries, spares, out _)).WaitAsync(_bound);
        Assert.Equal(1, rest);
        await queue.DisposeAsync();
    }

    /// <summary>Handler subscriptions (queues large enough that nothing is dropped) on one live loop, and a dispatcher over them.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly BusCounterSet _counters = new("test");
        private readonly DeliveryLoop _loop = new(logger: null);
        private readonly ClientSubscription[] _subscriptions;
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _handled;
        private long _expected = long.MaxValue;

        public Rig(int count)
        {
            _subscriptions = new ClientSubscription[count];
            for (var i = 0; i < count; i++)
            {
                var queue = new HandlerSubscription("a.>", 1 << 16, OnEvent, _loop, _counters, null);
                _subscriptions[i] = new ClientSubscription((uint)(i + 1), "a.>", queue);
            }

            Dispatcher = new EventDispatcher(sid => sid >= 1 && sid <= count ? _subscriptions[sid - 1] : null, NullLogger.Instance, waitsForCatchUp: false);
        }

        public EventDispatcher Dispatcher { get; }

        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in _subscriptions)
            {
                await subscription.Queue.DisposeAsync();
            }

            await _loop.DisposeAsync();
        }

        public async Task AssertAllHandledAsync(long expected)
        {
            Volatile.Write(ref _expected, expected);
            if (Interlocked.Read(ref _handled) >= expected)
            {
                _all.TrySetResult();
            }

            await _all.Task.WaitAsync(_bound);
            Assert.Equal(expected, Interlocked.Read(ref _handled));
            Assert.Equal(expected, _counters.Snapshot.Delivered);
            Assert.All(_subscriptions, s => Assert.Equal(0, s.Queue.Dropped));
        }

        private ValueTask OnEvent(BusDelivery delivery, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _handled) >= Volatile.Read(ref _expected))
            {
                _all.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }
    }
}
