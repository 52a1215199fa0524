using System.Buffers.Binary;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary>
/// The one socket writer the broker's connections and the client share: its send loop, the send token an inline writer
/// takes while the loop is parked, and the wake-up rules between them (docs/performance-history.md, "Hot path redesign
/// (issue 14), part 4").
/// </summary>
public sealed class SocketWriterTests : IAsyncLifetime
{
    private readonly QueueSource _source = new();
    private readonly CancellationTokenSource _abort = new();
    private SocketPair _pair = null!;
    private SocketWriter _writer = null!;
    private Task<SendEnd> _loop = Task.FromResult(SendEnd.Aborted);

    public async Task InitializeAsync() => UsePair(await SocketPair.ConnectAsync());

    public async Task DisposeAsync()
    {
        await _abort.CancelAsync();
        await _loop.WaitAsync(TestBroker.Bound);
        _writer.Dispose();
        _pair.Dispose();
        _abort.Dispose();
    }

    [Fact]
    public async Task TheLoop_SendsWhatIsQueued_InOrder_AndParksWhenEmpty()
    {
        await StartParkedAsync();
        var parked = _writer.NextParkAsync();
        _source.Enqueue([1, 2]);
        _source.Enqueue([3]);

        Assert.Equal([1, 2, 3], await _pair.ReadAsync(3));
        await parked.WaitAsync(TestBroker.Bound);
        Assert.True(_source.Sent >= 1);
    }

    [Fact]
    public async Task WhileTheLoopSendsABatch_NoOneElseMayWrite_AndNoClaimIsNeeded()
    {
        await StartParkedAsync();
        using var hold = new ManualResetEventSlim();
        _source.HoldFinish = hold;
        _source.Enqueue([1]);
        await _source.InFinish.Task.WaitAsync(TestBroker.Bound); // the loop holds the batch [1], not yet sent

        lock (_source.Gate)
        {
            Assert.False(_writer.TryBeginInlineLocked()); // an inline write now would interleave with the loop's
            Assert.False(_writer.ClaimWakeLocked()); // the loop looks for more work before it parks
        }

        _source.HoldFinish = null;
        _source.Enqueue([2]);
        hold.Set();

        Assert.Equal([1, 2], await _pair.ReadAsync(2));
    }

    [Fact]
    public async Task ParkedAsync_CompletesAtOnceWhenParked_ElseAtTheNextPark_WhenAnInlineWriteIsAllowed()
    {
        await StartParkedAsync();
        Assert.True(_writer.ParkedAsync().IsCompleted);

        using var hold = new ManualResetEventSlim();
        _source.HoldFinish = hold;
        _source.Enqueue([1]);
        await _source.InFinish.Task.WaitAsync(TestBroker.Bound); // the loop is at work
        var parked = _writer.ParkedAsync();
        Assert.False(parked.IsCompleted);

        _source.HoldFinish = null;
        hold.Set();
        await parked.WaitAsync(TestBroker.Bound);
        Assert.Equal([1], await _pair.ReadAsync(1));
        await AssertAnInlineWriteGoesThroughAsync(2); // what the barrier promises
    }

    [Fact]
    public async Task ParkedAsync_WhileAnInlineWriterHoldsTheToken_CompletesWhenItGivesItBack_EvenIfTheLoopParksMeanwhile()
    {
        await StartParkedHoldingTheTokenAsync();
        var free = _writer.ParkedAsync();
        Assert.False(free.IsCompleted); // parked, but the token is taken

        // A plain ring (as for a client's control frame) wakes the loop; the token is taken, so it parks again.
        var parkedAgain = _writer.NextParkAsync();
        _source.EnqueueAndRing([1]);
        await parkedAgain.WaitAsync(TestBroker.Bound);
        Assert.False(free.IsCompleted);

        Assert.True(_writer.WriteInline([2])); // gives the token back and rings for the queued frame
        Assert.Equal([2, 1], await _pair.ReadAsync(2));
        await free.WaitAsync(TestBroker.Bound);
        await AssertAnInlineWriteGoesThroughAsync(3); // what the barrier promises
    }

    [Fact]
    public async Task ParkedAsync_FaultsOnceTheWriterIsDisposed_IncludingAWaitMadeBefore()
    {
        await StartParkedHoldingTheTokenAsync();
        var pending = _writer.ParkedAsync(); // not free: the token is held
        _writer.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(TestBroker.Bound));
        await Assert.ThrowsAsync<ObjectDisposedException>(_writer.ParkedAsync);
    }

    [Fact]
    public async Task TheTokenIsTakenOnlyWhileTheLoopIsParked_AndByOneHolder()
    {
        lock (_source.Gate)
        {
            Assert.False(_writer.TryBeginInlineLocked()); // the loop has not started: until it first parks, it owns the socket
        }

        await StartParkedAsync();
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
            Assert.False(_writer.TryBeginInlineLocked()); // one holder
            Assert.False(_writer.ClaimWakeLocked()); // the holder wakes the loop when it is done
        }

        Assert.True(_writer.WriteInline([7]));
        Assert.Equal([7], await _pair.ReadAsync(1));
    }

    [Fact]
    public async Task WorkQueuedWhileAnInlineWriterHoldsTheToken_IsSentWhenItGivesItBack()
    {
        await StartParkedHoldingTheTokenAsync();

        // No claim is possible meanwhile (see above), so only the inline writer can wake the loop for this.
        _source.Enqueue([2]);
        Assert.True(_writer.WriteInline([1]));

        Assert.Equal([1, 2], await _pair.ReadAsync(2));
    }

    [Fact]
    public async Task AClaim_IsOnePerIdleSpell_AndAFlushAfterItWritesInline()
    {
        await StartParkedAsync();
        lock (_source.Gate)
        {
            Assert.True(_writer.ClaimWakeLocked());
            Assert.False(_writer.ClaimWakeLocked()); // one wake-up is on its way already
            Assert.Equal(FlushStart.Inline, _writer.BeginFlushLocked(inlineAllowed: true));
            Assert.Equal(FlushStart.Busy, _writer.BeginFlushLocked(inlineAllowed: true)); // the token is taken
        }

        Assert.True(_writer.WriteInline([5]));
        Assert.Equal([5], await _pair.ReadAsync(1));

        lock (_source.Gate)
        {
            Assert.True(_writer.ClaimWakeLocked()); // the inline write gave the token back: a new spell
            Assert.Equal(FlushStart.Ring, _writer.BeginFlushLocked(inlineAllowed: false)); // e.g. the stream is ending
        }
    }

    [Fact]
    public async Task TheUnsentTailOfAnInlineWrite_GoesBeforeEverythingQueuedAfterIt()
    {
        UsePair(await SocketPair.ConnectAsync(sendBuffer: 4096));
        await StartParkedAsync();
        var big = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i % 251)).ToArray();
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
        }

        Assert.True(_writer.WriteInline(big)); // the peer is not reading: most of it stays behind
        lock (_source.Gate)
        {
            Assert.False(_writer.TryBeginInlineLocked()); // the tail must go first, and only the loop sends it
        }

        _source.Enqueue([0xee]);
        var received = await _pair.ReadAsync(big.Length + 1);

        Assert.Equal([.. big, 0xee], received);
    }

    [Fact]
    public async Task SentBytes_CountWhatTheSocketTook_InlineAndByTheLoop()
    {
        UsePair(await SocketPair.ConnectAsync(sendBuffer: 4096));
        await StartParkedAsync();
        var big = new byte[1 << 20];
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
        }

        Assert.True(_writer.WriteInline(big));
        var inline = _writer.SentBytes;
        Assert.InRange(inline, 1, big.Length - 1); // the peer is not reading: the socket took only its buffer's worth

        var parked = _writer.NextParkAsync();
        await _pair.ReadAsync(big.Length);
        await parked.WaitAsync(TestBroker.Bound);
        Assert.Equal(big.Length, _writer.SentBytes);
    }

    [Fact]
    public async Task PeerProgress_MovesWithEachWriteThePeerReads()
    {
        // A catch-up wait's progress for a broker connection (docs/Service-Bus.md, "Catch-up waits"). The socket turns
        // writable again only once the peer has read most of its buffer, so what the writer sent alone can stand still
        // while a slow peer reads; what the socket still holds unread moves with each write read.
        await StartParkedAsync();
        var before = _writer.PeerProgress;
        for (var i = 0; i < 3; i++)
        {
            lock (_source.Gate)
            {
                Assert.True(_writer.TryBeginInlineLocked());
            }

            Assert.True(_writer.WriteInline(new byte[1000]));
            var afterWrite = _writer.PeerProgress;
            Assert.True(afterWrite <= before, $"a write the peer has not read counted as progress: {before} then {afterWrite}");
            before = afterWrite;
        }

        Assert.Equal(3000, _writer.SentBytes);
        Assert.True(SendQueue.Unread(_pair.Local) > 0);

        await _pair.ReadAsync(1000);
        var oneRead = _writer.PeerProgress;
        Assert.True(oneRead > before, $"progress did not move when the peer read a write: {before} then {oneRead}");

        await _pair.ReadAsync(2000);
        Assert.Equal(0, SendQueue.Unread(_pair.Local));
        Assert.Equal(3000, _writer.PeerProgress);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the client's loop, which yields its time slice after each send
    public async Task ManyProducersAndInlineWriters_LoseNothing_AndKeepEachProducersOrder(bool yieldAfterSend)
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        UsePair(await SocketPair.ConnectAsync(), yieldAfterSend: yieldAfterSend);
        await StartParkedAsync();

        // Records of 5 bytes (producer, sequence number): a lost wake-up leaves the read short (it times out), two
        // writers at once interleave bytes (records stop parsing in order). Producer 0 writes inline as a client's
        // publisher after a quiet spell does, producer 1 claims and flushes at the end of each "read" as the broker
        // does, the others only queue and ring.
        var tasks = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            using var flushBuffer = new PooledBufferWriter();
            for (var i = 0; i < PerProducer; i++)
            {
                var record = new byte[5];
                record[0] = (byte)p;
                BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(1), i);
                if (p == 1)
                {
                    _source.EnqueueAndFlush(record, flushBuffer);
                    continue;
                }

                var inline = false;
                if (p == 0)
                {
                    lock (_source.Gate)
                    {
                        inline = !_source.HasWorkLocked && _writer.TryBeginInlineLocked();
                    }
                }

                if (inline)
                {
                    Assert.True(_writer.WriteInline(record));
                }
                else
                {
                    _source.Enqueue(record);
                }
            }
        })).ToArray();

        var received = await _pair.ReadAsync(Producers * PerProducer * 5);
        await Task.WhenAll(tasks).WaitAsync(TestBroker.Bound);

        Assert.Equal(Producers * PerProducer * 5, received.Length);
        var next = new int[Producers];
        for (var offset = 0; offset < received.Length; offset += 5)
        {
            var producer = received[offset];
            Assert.Equal(next[producer]++, BinaryPrimitives.ReadInt32BigEndian(received.AsSpan(offset + 1)));
        }

        Assert.All(next, n => Assert.Equal(PerProducer, n));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheFinalFrame_IsSentThenTheSocketHalfCloses(bool yieldAfterSend)
    {
        UsePair(await SocketPair.ConnectAsync(), yieldAfterSend: yieldAfterSend);
        await StartParkedAsync();
        _source.Enqueue([1]);
        _source.Close([9]);

        Assert.Equal(SendEnd.Final, await _loop.WaitAsync(TestBroker.Bound));
        Assert.Equal([1, 9], await _pair.ReadAsync(3)); // then the end of the stream
    }

    [Fact]
    public async Task Cancellation_EndsAParkedLoop()
    {
        await StartParkedAsync();
        await _abort.CancelAsync();

        Assert.Equal(SendEnd.Aborted, await _loop.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task AnInlineWriteToABrokenSocket_SaysSo()
    {
        await StartParkedAsync();
        _pair.Peer.Close();
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
        }

        Assert.False(_writer.WriteInline([1]));
    }

    private void UsePair(SocketPair pair, bool yieldAfterSend = false)
    {
        _pair?.Dispose();
        _pair = pair;
        _writer = new SocketWriter(pair.Local, _source, Timeout.InfiniteTimeSpan, TimeProvider.System, releaseWhenParked: true, yieldAfterSend: yieldAfterSend);
        _source.Writer = _writer;
    }

    private async Task StartParkedAsync()
    {
        var parked = _writer.NextParkAsync();
        _loop = _writer.RunAsync(_abort.Token);
        await parked.WaitAsync(TestBroker.Bound);
    }

    /// <summary>Starts the loop, lets it park, and takes the send token as an inline writer would.</summary>
    private async Task StartParkedHoldingTheTokenAsync()
    {
        await StartParkedAsync();
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
        }
    }

    /// <summary>The send token is free for an inline write now, and what it writes reaches the peer.</summary>
    private async Task AssertAnInlineWriteGoesThroughAsync(byte value)
    {
        lock (_source.Gate)
        {
            Assert.True(_writer.TryBeginInlineLocked());
        }

        Assert.True(_writer.WriteInline([value]));
        Assert.Equal([value], await _pair.ReadAsync(1));
    }
}
