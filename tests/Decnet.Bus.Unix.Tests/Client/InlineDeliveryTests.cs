using System.Globalization;
using System.Threading.Channels;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Inline delivery (<see cref="SubscriptionOptions.InlineDelivery"/>, docs/dotnet-hosts.md): the receive thread calls
/// the handler itself; a handler that awaits leaves the connection reading; one that blocks loses events at the broker,
/// each reported on the next event. The semantics shared with FakeBus are in the conformance suite's handler tests.
/// </summary>
public sealed class InlineDeliveryTests
{
    private const int _filler = 2048;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_RunsOnTheReceiveThread_OnlyWhenInline(bool inline)
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var threads = Channel.CreateUnbounded<string?>();
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.thread", _ => threads.Writer.TryWrite(Thread.CurrentThread.Name), new SubscriptionOptions { InlineDelivery = inline });

        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync("inline.thread", new { i });
        }

        for (var i = 0; i < 3; i++)
        {
            var name = await threads.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound);
            Assert.Equal(inline, name?.StartsWith("decnet-bus-recv", StringComparison.Ordinal) == true);
        }

        // Counted for the bus before each call, either way.
        Assert.Equal(3, subscriber.Counters.Delivered);
    }

    [Fact]
    public async Task Handler_ThatAwaits_LeavesTheConnectionReading_AndTheLaterEventsFollowInOrder()
    {
        const int Events = 6;
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Channel.CreateUnbounded<int>();
        var handled = Channel.CreateUnbounded<int>();
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.await",
            async (delivery, _) =>
            {
                var seq = Seq(delivery);
                started.Writer.TryWrite(seq);
                if (seq == 0)
                {
                    await release.Task;
                }

                handled.Writer.TryWrite(seq);
            },
            new SubscriptionOptions { InlineDelivery = true });
        await using var marker = await subscriber.SubscribeAsync("inline.marker");

        await publisher.PublishAsync("inline.await", new { i = 0 });
        Assert.Equal(0, await started.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));

        // A reply the subscriber's receive thread must read while the handler is still waiting.
        await subscriber.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        for (var i = 1; i < Events; i++)
        {
            await publisher.PublishAsync("inline.await", new { i });
        }

        await PassMarkerAsync(publisher, marker);
        Assert.Equal(Events, subscription.Received);
        Assert.False(started.Reader.TryRead(out var early), $"event {early} was handled while the one before it was still running");

        release.SetResult();
        for (var i = 0; i < Events; i++)
        {
            Assert.Equal(i, await handled.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));
        }

        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public async Task AnEventArrivingWhileTheLoopHandlesQueuedOnes_WaitsBehindThem()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var release0 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Channel.CreateUnbounded<int>();
        var handled = Channel.CreateUnbounded<int>();
        var active = 0;
        var overlapped = false;
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.turn",
            async (delivery, _) =>
            {
                var seq = Seq(delivery);
                overlapped |= Interlocked.Increment(ref active) != 1;
                started.Writer.TryWrite(seq);
                if (seq == 0)
                {
                    await release0.Task; // hands 0 to the loop; 1 and 2 queue behind it
                }
                else if (seq == 1)
                {
                    await release1.Task; // on the loop, which holds 2 as well: the queue is empty, the turn is not over
                }

                Interlocked.Decrement(ref active);
                handled.Writer.TryWrite(seq);
            },
            new SubscriptionOptions { InlineDelivery = true });
        await using var marker = await subscriber.SubscribeAsync("inline.marker");

        await publisher.PublishAsync("inline.turn", new { i = 0 });
        Assert.Equal(0, await started.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));
        await publisher.PublishAsync("inline.turn", new { i = 1 });
        await publisher.PublishAsync("inline.turn", new { i = 2 });
        await PassMarkerAsync(publisher, marker);
        release0.SetResult();
        Assert.Equal(1, await started.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));

        await publisher.PublishAsync("inline.turn", new { i = 3 });
        await PassMarkerAsync(publisher, marker);
        Assert.False(started.Reader.TryRead(out var early), $"event {early} started while event 1 was still running");

        release1.SetResult();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(i, await handled.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));
        }

        Assert.False(overlapped, "two calls of the subscription's handler overlapped");
    }

    [Fact]
    public async Task Handler_ThatAwaitsARoundTripOfItsOwnBus_DoesNotDeadlock()
    {
        const int Events = 3;
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var handled = Channel.CreateUnbounded<int>();
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.flush",
            async (delivery, token) =>
            {
                var seq = Seq(delivery);

                // The PONG it waits for is read by the receive thread this call started on.
                await subscriber.FlushAsync(token);
                handled.Writer.TryWrite(seq);
            },
            new SubscriptionOptions { InlineDelivery = true });

        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("inline.flush", new { i });
        }

        for (var i = 0; i < Events; i++)
        {
            Assert.Equal(i, await handled.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound));
        }
    }

    [Fact]
    public async Task Handler_ThatBlocks_LosesEventsAtTheBroker_EachReportedOnTheNextEvent()
    {
        const int Events = 600;
        await using var broker = await TestBroker.StartAsync(o => o.SendBufferBytes = 0);
        var subscriber = broker.CreateClient("sub", queueSize: 8);
        var publisher = broker.CreateClient("pub");
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = Channel.CreateUnbounded<(int Seq, long MissedBefore)>();
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.block",
            (delivery, token) =>
            {
                var seq = Seq(delivery);
                if (seq == 0)
                {
                    entered.TrySetResult();

                    // However long the publishes take on a loaded machine; the bus's disposal cancels it.
                    release.Wait(token);
                }

                seen.Writer.TryWrite((seq, delivery.MissedBefore));
                return ValueTask.CompletedTask;
            },
            new SubscriptionOptions { InlineDelivery = true });

        var filler = new string('x', _filler); // 600 x 2 KiB is far more than the socket buffers hold
        await publisher.PublishAsync("inline.block", new { i = 0, filler });
        await entered.Task.WaitAsync(TestBroker.Bound);
        for (var i = 1; i < Events; i++)
        {
            await publisher.PublishAsync("inline.block", new { i, filler });
        }

        // STATS travels behind the publishes: once answered, all of them were routed.
        await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "sub");
        Assert.True(row.Dropped > 0, $"the broker dropped nothing, so nothing is tested: {row}");
        release.Set();

        // Drop-oldest keeps the newest, so the last event arrives; each one's position is what came and was lost before it.
        long delivered = 0;
        long missed = 0;
        while (true)
        {
            var (seq, missedBefore) = await seen.Reader.ReadAsync().AsTask().WaitAsync(TestBroker.Bound);
            missed += missedBefore;
            Assert.Equal(seq, delivered + missed);
            delivered++;
            if (seq == Events - 1)
            {
                break;
            }
        }

        Assert.Equal(row.Dropped, missed);
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(delivered, subscription.Received);
    }

    [Fact]
    public async Task DisposingTheBus_CancelsTheTokenOfAnInlineHandlerInProgress_AndWaitsForItToReturn()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.dispose",
            (_, token) =>
            {
                entered.TrySetResult();

                // Blocks the receive thread until the token says stop (bounded far above the test's wait).
                returned.SetResult(token.WaitHandle.WaitOne(3 * TestBroker.Bound));
                return ValueTask.CompletedTask;
            },
            new SubscriptionOptions { InlineDelivery = true });

        await publisher.PublishAsync("inline.dispose", new { i = 0 });
        await entered.Task.WaitAsync(TestBroker.Bound);

        await subscriber.DisposeAsync().AsTask().WaitAsync(TestBroker.Bound);
        Assert.True(returned.Task.IsCompleted, "DisposeAsync returned before the handler did");
        Assert.True(await returned.Task, "the handler returned without its token being cancelled");
    }

    /// <summary>
    /// Publishes on the marker's topic and reads it: the marker's frame follows the events published before it on the
    /// subscriber's connection, so once it is read the receive thread has dispatched them.
    /// </summary>
    private static async Task PassMarkerAsync(UnixSocketBus publisher, IBusSubscription marker)
    {
        await publisher.PublishAsync("inline.marker", new { i = -1 });
        await Receive.NextAsync(marker);
    }

    private static int Seq(BusDelivery delivery)
        => Convert.ToInt32(delivery.ToEvent().ReadPayloadAsDictionary()["i"], CultureInfo.InvariantCulture);
}
