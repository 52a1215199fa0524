using System.Buffers.Binary;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary>
/// The one socket writer the broker's connections and the client share: its send loop, the send token an inline writer
/// takes while the loop is parked, and the wake-up rules between them (docs/performance-history.md, "Hot path redesign
/// (issue 14), part 4"), with its loop on the pool and on a thread of its own (<see cref="SocketWriterLoopTests"/>).
/// </summary>
public abstract class SocketWriterTests(bool ownThread) : IAsyncLifetime
{
    private readonly WriterRig _rig = new(ownThread);

    public async Task InitializeAsync() => _rig.Use(await SocketPair.ConnectAsync());

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task TheLoop_SendsWhatIsQueued_InOrder_AndParksWhenEmpty()
    {
        await StartParkedAsync();
        var parked = _rig.Writer.NextParkAsync();
        _rig.Source.Enqueue([1, 2]);
        _rig.Source.Enqueue([3]);

        Assert.Equal([1, 2, 3], await _rig.Pair.ReadAsync(3));
        await parked.WaitAsync(TestBroker.Bound);
        Assert.True(_rig.Source.Sent >= 1);
    }

    [Fact]
    public async Task WhileTheLoopSendsABatch_NoOneElseMayWrite_AndNoClaimIsNeeded()
    {
        await StartParkedAsync();
        using var hold = new ManualResetEventSlim();
        _rig.Source.HoldFinish = hold;
        _rig.Source.Enqueue([1]);
        await _rig.Source.InFinish.Task.WaitAsync(TestBroker.Bound); // the loop holds the batch [1], not yet sent

        lock (_rig.Source.Gate)
        {
            Assert.False(_rig.Writer.TryBeginInlineLocked()); // an inline write now would interleave with the loop's
            Assert.False(_rig.Writer.ClaimWakeLocked()); // the loop looks for more work before it parks
        }

        _rig.Source.HoldFinish = null;
        _rig.Source.Enqueue([2]);
        hold.Set();

        Assert.Equal([1, 2], await _rig.Pair.ReadAsync(2));
    }

    [Fact]
    public async Task ParkedAsync_CompletesAtOnceWhenParked_ElseAtTheNextPark_WhenAnInlineWriteIsAllowed()
    {
        await StartParkedAsync();
        Assert.True(_rig.Writer.ParkedAsync().IsCompleted);

        using var hold = new ManualResetEventSlim();
        _rig.Source.HoldFinish = hold;
        _rig.Source.Enqueue([1]);
        await _rig.Source.InFinish.Task.WaitAsync(TestBroker.Bound); // the loop is at work
        var parked = _rig.Writer.ParkedAsync();
        Assert.False(parked.IsCompleted);

        _rig.Source.HoldFinish = null;
        hold.Set();
        await parked.WaitAsync(TestBroker.Bound);
        Assert.Equal([1], await _rig.Pair.ReadAsync(1));
        await AssertAnInlineWriteGoesThroughAsync(2); // what the barrier promises
    }

    [Fact]
    public async Task ParkedAsync_WhileAnInlineWriterHoldsTheToken_CompletesWhenItGivesItBack_EvenIfTheLoopParksMeanwhile()
    {
        await StartParkedHoldingTheTokenAsync();
        var free = _rig.Writer.ParkedAsync();
        Assert.False(free.IsCompleted); // parked, but the token is taken

        // A plain ring (as for a client's control frame) wakes the loop; the token is taken, so it parks again.
        var parkedAgain = _rig.Writer.NextParkAsync();
        _rig.Source.EnqueueAndRing([1]);
        await parkedAgain.WaitAsync(TestBroker.Bound);
        Assert.False(free.IsCompleted);

        Assert.True(_rig.Writer.WriteInline([2])); // gives the token back and rings for the queued frame
        Assert.Equal([2, 1], await _rig.Pair.ReadAsync(2));
        await free.WaitAsync(TestBroker.Bound);
        await AssertAnInlineWriteGoesThroughAsync(3); // what the barrier promises
    }

    [Fact]
    public async Task ParkedAsync_FaultsOnceTheWriterIsDisposed_IncludingAWaitMadeBefore()
    {
        await StartParkedHoldingTheTokenAsync();
        var pending = _rig.Writer.ParkedAsync(); // not free: the token is held
        _rig.Writer.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(TestBroker.Bound));
        await Assert.ThrowsAsync<ObjectDisposedException>(_rig.Writer.ParkedAsync);
    }

    [Fact]
    public async Task TheTokenIsTakenOnlyWhileTheLoopIsParked_AndByOneHolder()
    {
        lock (_rig.Source.Gate)
        {
            Assert.False(_rig.Writer.TryBeginInlineLocked()); // the loop has not started: until it first parks, it owns the socket
        }

        await StartParkedAsync();
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
            Assert.False(_rig.Writer.TryBeginInlineLocked()); // one holder
            Assert.False(_rig.Writer.ClaimWakeLocked()); // the holder wakes the loop when it is done
        }

        Assert.True(_rig.Writer.WriteInline([7]));
        Assert.Equal([7], await _rig.Pair.ReadAsync(1));
    }

    [Fact]
    public async Task WorkQueuedWhileAnInlineWriterHoldsTheToken_IsSentWhenItGivesItBack()
    {
        await StartParkedHoldingTheTokenAsync();

        // No claim is possible meanwhile (see above), so only the inline writer can wake the loop for this.
        _rig.Source.Enqueue([2]);
        Assert.True(_rig.Writer.WriteInline([1]));

        Assert.Equal([1, 2], await _rig.Pair.ReadAsync(2));
    }

    [Fact]
    public async Task AClaim_IsOnePerIdleSpell_AndAFlushAfterItWritesInline()
    {
        await StartParkedAsync();
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.ClaimWakeLocked());
            Assert.False(_rig.Writer.ClaimWakeLocked()); // one wake-up is on its way already
            Assert.Equal(FlushStart.Inline, _rig.Writer.BeginFlushLocked(inlineAllowed: true));
            Assert.Equal(FlushStart.Busy, _rig.Writer.BeginFlushLocked(inlineAllowed: true)); // the token is taken
        }

        Assert.True(_rig.Writer.WriteInline([5]));
        Assert.Equal([5], await _rig.Pair.ReadAsync(1));

        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.ClaimWakeLocked()); // the inline write gave the token back: a new spell
            Assert.Equal(FlushStart.Ring, _rig.Writer.BeginFlushLocked(inlineAllowed: false)); // e.g. the stream is ending
        }
    }

    [Fact]
    public async Task TheUnsentTailOfAnInlineWrite_GoesBeforeEverythingQueuedAfterIt()
    {
        _rig.Use(await SocketPair.ConnectAsync(sendBuffer: 4096));
        await StartParkedAsync();
        var big = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i % 251)).ToArray();
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
        }

        Assert.True(_rig.Writer.WriteInline(big)); // the peer is not reading: most of it stays behind
        lock (_rig.Source.Gate)
        {
            Assert.False(_rig.Writer.TryBeginInlineLocked()); // the tail must go first, and only the loop sends it
        }

        _rig.Source.Enqueue([0xee]);
        var received = await _rig.Pair.ReadAsync(big.Length + 1);

        Assert.Equal([.. big, 0xee], received);
    }

    [Fact]
    public async Task SentBytes_CountWhatTheSocketTook_InlineAndByTheLoop()
    {
        _rig.Use(await SocketPair.ConnectAsync(sendBuffer: 4096));
        await StartParkedAsync();
        var big = new byte[1 << 20];
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
        }

        Assert.True(_rig.Writer.WriteInline(big));
        var inline = _rig.Writer.SentBytes;
        Assert.InRange(inline, 1, big.Length - 1); // the peer is not reading: the socket took only its buffer's worth

        var parked = _rig.Writer.NextParkAsync();
        await _rig.Pair.ReadAsync(big.Length);
        await parked.WaitAsync(TestBroker.Bound);
        Assert.Equal(big.Length, _rig.Writer.SentBytes);
    }

    [Fact]
    public async Task PeerProgress_MovesWithEachWriteThePeerReads()
    {
        // A catch-up wait's progress for a broker connection (docs/Service-Bus.md, "Catch-up waits"). The socket turns
        // writable again only once the peer has read most of its buffer, so what the writer sent alone can stand still
        // while a slow peer reads; what the socket still holds unread moves with each write read.
        await StartParkedAsync();
        var before = _rig.Writer.PeerProgress;
        for (var i = 0; i < 3; i++)
        {
            lock (_rig.Source.Gate)
            {
                Assert.True(_rig.Writer.TryBeginInlineLocked());
            }

            Assert.True(_rig.Writer.WriteInline(new byte[1000]));
            var afterWrite = _rig.Writer.PeerProgress;
            Assert.True(afterWrite <= before, $"a write the peer has not read counted as progress: {before} then {afterWrite}");
            before = afterWrite;
        }

        Assert.Equal(3000, _rig.Writer.SentBytes);
        Assert.True(SendQueue.Unread(_rig.Pair.Local) > 0);

        await _rig.Pair.ReadAsync(1000);
        var oneRead = _rig.Writer.PeerProgress;
        Assert.True(oneRead > before, $"progress did not move when the peer read a write: {before} then {oneRead}");

        await _rig.Pair.ReadAsync(2000);
        Assert.Equal(0, SendQueue.Unread(_rig.Pair.Local));
        Assert.Equal(3000, _rig.Writer.PeerProgress);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the client's loop, which yields its time slice after each send
    public async Task ManyProducersAndInlineWriters_LoseNothing_AndKeepEachProducersOrder(bool yieldAfterSend)
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        _rig.Use(await SocketPair.ConnectAsync(), yieldAfterSend: yieldAfterSend);
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
                    _rig.Source.EnqueueAndFlush(record, flushBuffer);
                    continue;
                }

                var inline = false;
                if (p == 0)
                {
                    lock (_rig.Source.Gate)
                    {
                        inline = !_rig.Source.HasWorkLocked && _rig.Writer.TryBeginInlineLocked();
                    }
                }

                if (inline)
                {
                    Assert.True(_rig.Writer.WriteInline(record));
                }
                else
                {
                    _rig.Source.Enqueue(record);
                }
            }
        })).ToArray();

        var received = await _rig.Pair.ReadAsync(Producers * PerProducer * 5);
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
        _rig.Use(await SocketPair.ConnectAsync(), yieldAfterSend: yieldAfterSend);
        await StartParkedAsync();
        _rig.Source.Enqueue([1]);
        _rig.Source.Close([9]);

        Assert.Equal(SendEnd.Final, await _rig.Loop.WaitAsync(TestBroker.Bound));
        Assert.Equal([1, 9], await _rig.Pair.ReadAsync(3)); // then the end of the stream
    }

    [Fact]
    public async Task Cancellation_EndsAParkedLoop()
    {
        await StartParkedAsync();
        await _rig.Abort.CancelAsync();

        Assert.Equal(SendEnd.Aborted, await _rig.Loop.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task AnInlineWriteToABrokenSocket_SaysSo()
    {
        await StartParkedAsync();
        _rig.Pair.Peer.Close();
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
        }

        Assert.False(_rig.Writer.WriteInline([1]));
    }

    private async Task StartParkedAsync()
    {
        var parked = _rig.Writer.NextParkAsync();
        _rig.Start();
        await parked.WaitAsync(TestBroker.Bound);
    }

    /// <summary>Starts the loop, lets it park, and takes the send token as an inline writer would.</summary>
    private async Task StartParkedHoldingTheTokenAsync()
    {
        await StartParkedAsync();
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
        }
    }

    /// <summary>The send token is free for an inline write now, and what it writes reaches the peer.</summary>
    private async Task AssertAnInlineWriteGoesThroughAsync(byte value)
    {
        lock (_rig.Source.Gate)
        {
            Assert.True(_rig.Writer.TryBeginInlineLocked());
        }

        Assert.True(_rig.Writer.WriteInline([value]));
        Assert.Equal([value], await _rig.Pair.ReadAsync(1));
    }
}
