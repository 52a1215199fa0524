using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The receive loop's wake-ups of handler subscriptions on a live delivery loop: the first event a read brings a
/// subscription wakes it inside the append's lock, the end of the read wakes only those that got more after that
/// (docs/performance-history.md, part 5). Every event must still be handled once and counted as delivered once.
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
