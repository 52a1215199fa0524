using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>A publish after a quiet spell is written on the publishing thread while the send loop sleeps.</summary>
public sealed class DirectSendTests : IAsyncLifetime
{
    private readonly ClientOutbox _outbox = new(1 << 20, 1024);
    private readonly List<Connection> _connections = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.EndAsync();
            connection.Writer.Dispose();
            connection.Pair.Dispose();
            connection.Abort.Dispose();
        }
    }

    [Fact]
    public async Task Outbox_UnsentTailOfADirectWrite_GoesBeforeEverythingQueuedAfterIt()
    {
        var (pair, writer) = await ConnectParkedAsync(sendBuffer: 4096);
        var frame = Enumerable.Range(0, 1 << 19).Select(i => (byte)(i % 253)).ToArray();

        Assert.True(_outbox.TryBeginDirect(writer));
        Assert.False(_outbox.TryBeginDirect(writer)); // one token
        _outbox.EnqueueData([0xb1]);
        Assert.True(writer.WriteInline(frame)); // the peer is not reading yet: a tail stays behind

        Assert.Equal([.. frame, 0xb1], await pair.ReadAsync(frame.Length + 1));
    }

    [Fact]
    public async Task Outbox_DirectWrite_OnlyToTheLiveConnectionsParkedWriter_WithNothingQueued()
    {
        var (_, writer) = await ConnectParkedAsync();
        var (_, other) = await ConnectParkedAsync(attach: false);

        Assert.False(_outbox.TryBeginDirect(other)); // not the live connection
        Assert.True(_outbox.TryBeginDirect(writer));
        Assert.False(_outbox.TryBeginDirect(writer)); // one token
        Assert.True(writer.WriteInline([0xd1]));

        // Queue a frame the parked loop is not woken for (no writer attached), then attach it again: the loop is
        // still parked, but what is queued must go first.
        _outbox.DropData();
        _outbox.EnqueueControl([0xc1]);
        _outbox.Attach(writer);
        Assert.False(_outbox.TryBeginDirect(writer));
    }

    [Fact]
    public async Task Outbox_DirectWriteOfAnEndedConnection_PutsNothingIntoTheNextOne()
    {
        var (_, old) = await ConnectParkedAsync(sendBuffer: 4096);
        Assert.True(_outbox.TryBeginDirect(old));

        // The connection ends (its send loop first, as in UnixSocketBus) while a publisher still holds its token. The
        // loop is parked, so the cancel alone ends it; the socket stays open, as when a publisher's write races the
        // abort's shutdown.
        await _connections[0].EndAsync(shutDown: false);
        _outbox.DropData();
        var (second, _) = await ConnectParkedAsync();

        var frame = Enumerable.Range(0, 1 << 19).Select(i => (byte)(i % 241)).ToArray();
        Assert.True(old.WriteInline(frame)); // the peer is not reading: a tail stays with the ended writer
        _outbox.EnqueueData([0xb1]);

        Assert.Equal([0xb1], await second.ReadAsync(1));

        // And nothing else: end the next connection's stream and read to its end.
        old.Dispose();
        await _connections[1].EndAsync();
        second.Local.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.Empty(await second.ReadAsync(1));
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

        var directBefore = publisher.DirectWrites;
        var next = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // A quiet spell with the send loop asleep, then one publish (a direct write), then a burst the loop
            // batches. The reply below does not prove the loop is asleep: it yields after each send, still holding
            // the send token, and on a loaded machine the reply can be back before the loop parks.
            await publisher.SendLoopParkedAsync().WaitAsync(TestBroker.Bound);
            time.Advance(TimeSpan.FromMilliseconds(1));
            for (var i = 0; i < Burst; i++)
            {
                await publisher.PublishAsync("direct.e", new { i = next++ });
            }

            // The reply proves what went before was sent and routed.
            await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        }

        var received = await Receive.TakeAsync(sub, 1 + next);
        Assert.Equal(Enumerable.Range(-1, 1 + next), received.Select(e => Convert.ToInt32(e.ReadPayloadAsDictionary()["i"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(Rounds, publisher.DirectWrites - directBefore); // each round's first publish, and no other
    }

    /// <summary>
    /// A connection's writer over a socket pair, its loop on a thread of its own as a client's is, attached to the
    /// outbox as the live one unless told otherwise, and parked.
    /// </summary>
    private async Task<(SocketPair Pair, SocketWriter Writer)> ConnectParkedAsync(int? sendBuffer = null, bool attach = true)
    {
        var pair = await SocketPair.ConnectAsync(sendBuffer);
        var writer = new SocketWriter(pair.Local, _outbox, Timeout.InfiniteTimeSpan, TimeProvider.System, releaseWhenParked: false, ownThread: true);
        if (attach)
        {
            _outbox.Attach(writer);
        }

        var parked = writer.NextParkAsync();
        var abort = new CancellationTokenSource();
        _connections.Add(new Connection(pair, writer, OwnThread.Start("test-send", () => writer.Run(abort.Token)), abort));
        await parked.WaitAsync(TestBroker.Bound);
        return (pair, writer);
    }

    private sealed record Connection(SocketPair Pair, SocketWriter Writer, Task<SendEnd> Loop, CancellationTokenSource Abort)
    {
        public async Task EndAsync(bool shutDown = true)
        {
            await Abort.CancelAsync();
            if (shutDown)
            {
                Pair.ShutDownLocal(); // as a client's abort does: a send waiting for room wakes only for that
            }

            await Loop.WaitAsync(TestBroker.Bound);
        }
    }
}
