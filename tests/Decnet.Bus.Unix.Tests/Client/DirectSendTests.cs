using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>A publish after a quiet spell is written on the publishing thread while the send loop sleeps.</summary>
public sealed class DirectSendTests
{
    [Fact]
    public async Task Outbox_UnsentTailOfADirectWrite_GoesBeforeEverythingQueuedAfterIt()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        var owner = new object();
        outbox.Attach(owner);
        var parked = outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(parked.IsCompleted);

        Assert.True(outbox.TryBeginDirect(owner));
        Assert.False(outbox.TryBeginDirect(owner)); // one token
        outbox.EnqueueData([0xb1]);
        outbox.EndDirect(owner, [0xa1, 0xa2]);
        await parked.WaitAsync(TestBroker.Bound);

        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out _);
        Assert.Equal([0xa1, 0xa2, 0xb1], batch.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Outbox_DirectWrite_OnlyWhileTheLoopSleepsAndNothingIsQueued()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        var owner = new object();
        outbox.Attach(owner);
        Assert.False(outbox.TryBeginDirect(owner)); // the send loop is not waiting

        var parked = outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(outbox.TryBeginDirect(new object())); // not the live connection
        outbox.EnqueueControl([0xc1]);
        Assert.False(outbox.TryBeginDirect(owner)); // something is queued: it must go first
        await parked.WaitAsync(TestBroker.Bound);
    }

    [Fact]
    public async Task Outbox_NoDirectWrite_WhileTheSendLoopSendsWhatWokeIt()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        var owner = new object();
        outbox.Attach(owner);
        var parked = outbox.WaitAsync(CancellationToken.None).AsTask();

        // A control frame wakes the loop (PONG, SUB); once it has taken the frame the outbox is empty again, but the
        // loop is writing: a direct write now would interleave with its bytes.
        outbox.EnqueueControl([0xc1]);
        await parked.WaitAsync(TestBroker.Bound);
        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out _);

        Assert.False(outbox.TryBeginDirect(owner));
    }

    [Fact]
    public async Task Outbox_DirectWriteOfAnEndedConnection_PutsNothingIntoTheNextOne()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        var old = new object();
        outbox.Attach(old);
        var parked = outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.True(outbox.TryBeginDirect(old));
        outbox.DropData();
        outbox.Attach(new object());
        outbox.EndDirect(old, [0xee]);
        outbox.EnqueueData([0xb1]);
        await parked.WaitAsync(TestBroker.Bound);

        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out _);
        Assert.Equal([0xb1], batch.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task QuietAndBackToBackPublishes_ArriveComplete_AndInOrder()
    {
        const int Rounds = 20;
        const int Burst = 50;
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub", queueSize: 4 * Rounds * Burst);
        await using var sub = await subscriber.SubscribeAsync("direct.>", new SubscriptionOptions { QueueSize = 4 * Rounds * Burst });
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = TestBroker.NewOptions(broker.SocketPath);
        await using var publisher = new UnixSocketBus(options, null, time);
        await publisher.PublishAsync("direct.warmup", new { i = -1 });
        await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);

        var next = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // A quiet spell, then one publish (a direct write when the loop sleeps), then a burst the loop batches.
            time.Advance(TimeSpan.FromMilliseconds(1));
            for (var i = 0; i < Burst; i++)
            {
                await publisher.PublishAsync("direct.e", new { i = next++ });
            }

            // The reply proves what went before was sent and routed; by then the send loop is asleep again.
            await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        }

        var received = await Receive.TakeAsync(sub, 1 + next);
        Assert.Equal(Enumerable.Range(-1, 1 + next), received.Select(e => Convert.ToInt32(e.ReadPayloadAsDictionary()["i"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.True(publisher.DirectWrites > 0, "no publish was written directly");
    }
}
