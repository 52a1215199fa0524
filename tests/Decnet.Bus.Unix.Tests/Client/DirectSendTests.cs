using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>A publish after a quiet spell is written on the publishing thread while the send loop sleeps.</summary>
public sealed class DirectSendTests
{
    private readonly ClientOutbox _outbox = new(1 << 20, 1024);
    private readonly object _owner = new();

    public DirectSendTests() => _outbox.Attach(_owner);

    [Fact]
    public async Task Outbox_UnsentTailOfADirectWrite_GoesBeforeEverythingQueuedAfterIt()
    {
        var parked = _outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(parked.IsCompleted);

        Assert.True(_outbox.TryBeginDirect(_owner));
        Assert.False(_outbox.TryBeginDirect(_owner)); // one token
        _outbox.EnqueueData([0xb1]);
        _outbox.EndDirect(_owner, [0xa1, 0xa2]);
        await parked.WaitAsync(TestBroker.Bound);

        Assert.Equal([0xa1, 0xa2, 0xb1], TakeAll());
    }

    [Fact]
    public async Task Outbox_DirectWrite_OnlyWhileTheLoopSleepsAndNothingIsQueued()
    {
        Assert.False(_outbox.TryBeginDirect(_owner)); // the send loop is not waiting

        var parked = _outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(_outbox.TryBeginDirect(new object())); // not the live connection
        _outbox.EnqueueControl([0xc1]);
        Assert.False(_outbox.TryBeginDirect(_owner)); // something is queued: it must go first
        await parked.WaitAsync(TestBroker.Bound);
    }

    [Fact]
    public async Task Outbox_NoDirectWrite_WhileTheSendLoopSendsWhatWokeIt()
    {
        var parked = _outbox.WaitAsync(CancellationToken.None).AsTask();

        // A control frame wakes the loop (PONG, SUB); once it has taken the frame the outbox is empty again, but the
        // loop is writing: a direct write now would interleave with its bytes.
        _outbox.EnqueueControl([0xc1]);
        await parked.WaitAsync(TestBroker.Bound);
        Assert.Equal([0xc1], TakeAll());

        Assert.False(_outbox.TryBeginDirect(_owner));
    }

    [Fact]
    public async Task Outbox_DirectWriteOfAnEndedConnection_PutsNothingIntoTheNextOne()
    {
        var parked = _outbox.WaitAsync(CancellationToken.None).AsTask();
        Assert.True(_outbox.TryBeginDirect(_owner));
        _outbox.DropData();
        _outbox.Attach(new object());
        _outbox.EndDirect(_owner, [0xee]);
        _outbox.EnqueueData([0xb1]);
        await parked.WaitAsync(TestBroker.Bound);

        Assert.Equal([0xb1], TakeAll());
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

    private byte[] TakeAll()
    {
        using var batch = new PooledBufferWriter();
        _outbox.Take(batch, 1 << 20, out _);
        return batch.WrittenSpan.ToArray();
    }
}
