using System.Buffers;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The receive loop queues consecutive events for one subscription under one hold of its lock, let go every
/// <see cref="EventDispatcher.HeldRunLength"/> appends (or a quarter of the queue) and at the run's end, which wakes the
/// consumer (docs/performance-history-2.md, part 11). Every event must still be handled once, in order, and counted
/// once.
/// </summary>
public sealed class DispatcherRunTests
{
    private const int _reads = 1_000;
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    /// <summary>Events per run in read <c>r</c>: 1 to 100.</summary>
    private static readonly int _events = Enumerable.Range(0, _reads).Sum(read => (read % 100) + 1);

    [Fact]
    public async Task RunsOfEvents_AsTheReceiveLoopQueuesThem_AreHandledAndCountedOnce()
    {
        const int Subscriptions = 3;
        await using var rig = new DispatcherRig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => Body([(uint)sid], 1.5)).ToArray();

        // Each subscription's run of 1 to 100 events is queued under one hold of its lock while the live loop takes
        // from the same rings.
        for (var read = 0; read < _reads; read++)
        {
            foreach (var body in bodies)
            {
                Run(rig.Dispatcher, Enumerable.Repeat(body, (read % 100) + 1));
            }

            rig.Dispatcher.EndOfRead();
        }

        await rig.AssertAllHandledAsync(Subscriptions * _events);
    }

    [Fact]
    public async Task EventsNamingTwoSubscriptions_SwitchTheHoldBetweenThem_AndReachBothOnce()
    {
        await using var rig = new DispatcherRig(2);
        var body = Body([1, 2], 1.5);
        for (var read = 0; read < _reads; read++)
        {
            Run(rig.Dispatcher, Enumerable.Repeat(body, (read % 100) + 1));
            rig.Dispatcher.EndOfRead();
        }

        await rig.AssertAllHandledAsync(2 * _events);
    }

    [Fact]
    public async Task RunsOfEvents_OnAnEnumerableSubscription_AreReadInOrderAndCountedOnce()
    {
        var counters = new BusCounterSet("test");
        await using var queue = new ChannelSubscription("a.>", 1 << 16, counters, null);
        var dispatcher = Dispatcher(queue);
        var reading = Task.Run(async () =>
        {
            var next = 0;
            await foreach (var evt in queue)
            {
                // Each event's timestamp is its sequence number: one out of order or read twice fails here.
                Assert.Equal((double)next, evt.Timestamp);
                if (++next == _events)
                {
                    break;
                }
            }

            return next;
        });

        var sequence = 0;
        for (var read = 0; read < _reads; read++)
        {
            Run(dispatcher, Enumerable.Range(sequence, (read % 100) + 1).Select(n => Body([1], n)));
            sequence += (read % 100) + 1;
            dispatcher.EndOfRead();
        }

        Assert.Equal(_events, await reading.WaitAsync(_bound));
        Assert.Equal(_events, queue.Received);
        Assert.Equal(0, queue.Dropped);
        Assert.Equal(_events, counters.Snapshot.Delivered);
    }

    [Fact]
    public async Task ALongRun_LetsTheLockGoAfterHeldRunLengthAppends_SoTheConsumerCanTakeMeanwhile()
    {
        var (queue, dispatcher) = await StoppedHandlerAsync(1024);
        var body = Body([1], 1.5);
        for (var i = 0; i < EventDispatcher.HeldRunLength; i++)
        {
            Assert.True(dispatcher.TryDeliver(body));
        }

        // The run is still open (no EndRun), but its hold ended with its last append: another thread takes now.
        Assert.Equal(EventDispatcher.HeldRunLength, await TakeElsewhereAsync(queue));

        // The next append opens a new hold, which EndRun lets go.
        Assert.True(dispatcher.TryDeliver(body));
        dispatcher.EndRun();
        Assert.Equal(1, await TakeElsewhereAsync(queue));
        Assert.Equal(EventDispatcher.HeldRunLength + 1, queue.Received);
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task ASmallQueue_IsLetGoAfterAQuarterOfIt_SoARunCannotOverrunItBeforeItsConsumerTakes()
    {
        // A queue of 8 holds at most 2 appends: a 32-append hold would drop 24 of a 32-event run before its consumer
        // could take one.
        var (queue, dispatcher) = await StoppedHandlerAsync(8);
        var body = Body([1], 1.5);
        Assert.True(dispatcher.TryDeliver(body));
        Assert.True(dispatcher.TryDeliver(body));

        Assert.Equal(2, await TakeElsewhereAsync(queue));
        dispatcher.EndRun();
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task ALossReportedBetweenRuns_RidesOnTheFirstEventAfterIt()
    {
        var (queue, dispatcher) = await StoppedHandlerAsync(64);
        Run(dispatcher, Enumerable.Range(0, 3).Select(n => Body([1], n)));
        using (var lost = new PooledBufferWriter(64))
        {
            FrameWriter.WriteLost(lost, new Dictionary<uint, long> { [1] = 5 });
            var frame = new ReadOnlySequence<byte>(lost.WrittenSpan.ToArray());
            Assert.True(FrameReader.TryParse(ref frame, ProtocolConstants.MinMaxFrame, out var parsed));
            dispatcher.ReportLost(parsed.Body);
        }

        Run(dispatcher, Enumerable.Range(3, 2).Select(n => Body([1], n)));
        dispatcher.EndOfRead();

        byte[]? spare = null;
        var taken = new List<(double Ts, long Missed)>();
        while (queue.TryTake(ref spare, out var delivery))
        {
            taken.Add((delivery.Timestamp, delivery.MissedBefore));
        }

        Assert.Equal(new (double, long)[] { (0, 0), (1, 0), (2, 0), (3, 5), (4, 0) }, taken);
        await queue.DisposeAsync();
    }

    /// <summary>Queues <paramref name="bodies"/> as one run, as the receive loop does; the hold is let go even when an assertion fails.</summary>
    private static void Run(EventDispatcher dispatcher, IEnumerable<byte[]> bodies)
    {
        try
        {
            foreach (var body in bodies)
            {
                Assert.True(dispatcher.TryDeliver(body));
            }
        }
        finally
        {
            dispatcher.EndRun();
        }
    }

    private static byte[] Body(uint[] sids, double timestamp) => HandlerAllocationTests.EvtBody(sids, timestamp).FirstSpan.ToArray();

    private static EventDispatcher Dispatcher(SubscriptionQueue queue)
    {
        return DispatcherRig.Over(new ClientSubscription(1, "a.>", queue));
    }

    /// <summary>
    /// A handler subscription on a stopped loop (the test takes the events itself) and a dispatcher over it. Disposed
    /// by the test at its end only: were a hold never let go, disposing (which takes the lock) would hang the test.
    /// </summary>
    private static async Task<(HandlerSubscription Queue, EventDispatcher Dispatcher)> StoppedHandlerAsync(int queueSize)
    {
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        var queue = new HandlerSubscription("a.>", queueSize, (_, _) => ValueTask.CompletedTask, loop, null, null);
        return (queue, Dispatcher(queue));
    }

    /// <summary>Takes a batch on another thread: it waits for the lock, so it completes only once no hold keeps it.</summary>
    private static async Task<int> TakeElsewhereAsync(HandlerSubscription queue)
    {
        var deliveries = new BusDelivery[DeliveryLoop.Turn];
        var spares = new byte[]?[DeliveryLoop.Turn];
        return await Task.Run(() => queue.TakeMany(deliveries, spares, out _)).WaitAsync(_bound);
    }
}
