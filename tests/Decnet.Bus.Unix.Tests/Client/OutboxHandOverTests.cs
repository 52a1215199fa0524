using System.Runtime.InteropServices;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The outbox hands its oldest chunk to an empty send batch by exchanging arrays: bytes arrive whole and in order, and
/// the array the batch now holds is never written by a later publish.
/// </summary>
public sealed class OutboxHandOverTests
{
    [Fact]
    public void Take_EmptyBatch_GetsTheChunkBeingFilled_AndLaterPublishesDoNotWriteIntoIt()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        outbox.EnqueueData(Frame(1, 10));
        outbox.EnqueueData(Frame(2, 10));
        using var batch = new PooledBufferWriter();

        outbox.Take(batch, 1 << 20, out var taken);
        var handed = batch.WrittenSpan.ToArray();
        outbox.EnqueueData(Frame(3, 10)); // while the batch is "on the socket"

        Assert.Equal(2, taken);
        Assert.Equal([.. Frame(1, 10), .. Frame(2, 10)], handed);
        Assert.Equal(handed, batch.WrittenSpan.ToArray());
        batch.Reset();
        outbox.Take(batch, 1 << 20, out taken);
        Assert.Equal(1, taken);
        Assert.Equal(Frame(3, 10), batch.WrittenSpan.ToArray());
    }

    [Fact]
    public void Take_Backlog_OneChunkPerBatch_InOrder_NothingLostOrRepeated()
    {
        var outbox = new ClientOutbox(8L << 20, 1 << 20);
        const int Count = 3000; // 3000 × 100 bytes: five chunks
        for (var i = 0; i < Count; i++)
        {
            outbox.EnqueueData(Frame((byte)i, 100));
        }

        using var batch = new PooledBufferWriter();
        var received = new List<byte>();
        var batches = 0;
        var total = 0;
        while (true)
        {
            batch.Reset();
            outbox.Take(batch, 1 << 20, out var taken);
            if (taken == 0)
            {
                break;
            }

            Assert.True(batch.WrittenCount <= ClientOutbox.ChunkSize, $"batch {batches} holds {batch.WrittenCount} bytes");
            received.AddRange(batch.WrittenSpan.ToArray());
            total += taken;
            batches++;
        }

        Assert.Equal(Count, total);
        Assert.Equal(Count * 100 / (ClientOutbox.ChunkSize / 100 * 100) + 1, batches);
        var expected = Enumerable.Range(0, Count).SelectMany(i => Frame((byte)i, 100)).ToArray();
        Assert.Equal(expected, received.ToArray());
    }

    [Fact]
    public void Take_ControlFrameFirst_CopiesInstead_AndKeepsTheOrder()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        outbox.EnqueueData(Frame(1, 10));
        outbox.EnqueueControl([0xb1]);
        using var batch = new PooledBufferWriter();

        outbox.Take(batch, 1 << 20, out var taken);
        outbox.EnqueueData(Frame(2, 10));

        Assert.Equal(2, taken);
        Assert.Equal([0xb1, .. Frame(1, 10)], batch.WrittenSpan.ToArray());
    }

    [Fact]
    public void Take_SteadyState_TwoArraysChangeHands_NothingCopied()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        using var batch = new PooledBufferWriter(64 * 1024);
        var arrays = new List<byte[]>();
        for (var round = 0; round < 4; round++)
        {
            outbox.EnqueueData(Frame((byte)round, 5000));
            batch.Reset();
            outbox.Take(batch, 1 << 20, out var taken);

            Assert.Equal(1, taken);
            Assert.Equal(Frame((byte)round, 5000), batch.WrittenSpan.ToArray());
            Assert.True(MemoryMarshal.TryGetArray(batch.WrittenMemory, out var segment));
            arrays.Add(segment.Array!);
        }

        // The batch holds the array the publishes were written into, and the chunk the batch's former one.
        Assert.NotSame(arrays[0], arrays[1]);
        Assert.Same(arrays[0], arrays[2]);
        Assert.Same(arrays[1], arrays[3]);
    }

    [Fact]
    public async Task Take_HandedOverChunkWithAFlushPing_TheFlushCompletesOnItsPong()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        outbox.EnqueueData(Frame(1, 10));
        var flush = outbox.FlushAsync();
        using var batch = new PooledBufferWriter();

        outbox.Take(batch, 1 << 20, out var taken);

        Assert.Equal(2, taken);
        Assert.Equal([.. Frame(1, 10), .. ClientOutbox.PingFrame], batch.WrittenSpan.ToArray());
        Assert.False(flush.IsCompleted);
        outbox.OnPong();
        await flush.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Take_AFrameLargerThanAChunk_IsHandedOverWhole_AndTheNextChunkIsOrdinary()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        var large = Frame(7, ClientOutbox.ChunkSize + 100);
        outbox.EnqueueData(large);
        using var batch = new PooledBufferWriter(64 * 1024);

        outbox.Take(batch, 1 << 20, out var taken);
        var handed = batch.WrittenSpan.ToArray();
        batch.Reset();
        outbox.EnqueueData(Frame(8, 10));
        outbox.Take(batch, 1 << 20, out var next);

        Assert.Equal((1, 1), (taken, next));
        Assert.Equal(large, handed);
        Assert.Equal(Frame(8, 10), batch.WrittenSpan.ToArray());
    }

    [Fact]
    public void Take_Closing_TheFinalFrameFollowsTheHandedOverChunk()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        outbox.EnqueueData(Frame(1, 10));
        outbox.Close([0xee]);
        using var batch = new PooledBufferWriter();

        var final = outbox.Take(batch, 1 << 20, out var taken);

        Assert.True(final);
        Assert.Equal(2, taken);
        Assert.Equal([.. Frame(1, 10), 0xee], batch.WrittenSpan.ToArray());
    }

    /// <summary>A stand-in frame: <paramref name="length"/> bytes of <paramref name="marker"/> (the outbox does not parse).</summary>
    private static byte[] Frame(byte marker, int length) => Enumerable.Repeat(marker, length).ToArray();
}
