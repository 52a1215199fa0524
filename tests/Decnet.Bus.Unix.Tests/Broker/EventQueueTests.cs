using System.Buffers;
using System.Buffers.Binary;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The broker's per-connection byte queue of EVT frames (docs/performance-history.md, "Hot path redesign (issue
/// 14), part 2"): frames come out whole, in order, byte for byte; drop-oldest removes exactly one frame and counts its sids;
/// the byte figure is exact; chunks go back when drained.
/// </summary>
public sealed class EventQueueTests
{
    [Fact]
    public void FramesAppendedInBulkAndOneByOne_ComeOutInOrder_ByteForByte()
    {
        var queue = new EventQueue();
        var frames = Enumerable.Range(0, 50).Select(i => Evt([(uint)i + 1], i * 37 % 300)).ToList();
        queue.AppendAll(Concat(frames.Take(30)), [.. frames.Take(30).Select(f => f.Length)]);
        foreach (var frame in frames.Skip(30))
        {
            queue.Append(frame);
        }

        Assert.Equal(50, queue.Count);
        Assert.Equal(frames.Sum(f => (long)f.Length) + (50 * EventQueue.SlotBytes), queue.Bytes);

        var taken = new ArrayBufferWriter<byte>();
        var count = queue.TakeInto(taken, long.MaxValue, int.MaxValue, out var bytes);

        Assert.Equal(50, count);
        Assert.Equal(frames.Sum(f => (long)f.Length) + (50 * EventQueue.SlotBytes), bytes);
        Assert.Equal(Concat(frames), taken.WrittenSpan.ToArray());
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Bytes);
    }

    [Fact]
    public void FramesAcrossManyChunks_TakenInSmallBatches_StayWholeAndInOrder()
    {
        var queue = new EventQueue();
        var frames = Enumerable.Range(0, 400).Select(i => Evt([(uint)i], 500 + (i % 7 * 100))).ToList();
        queue.AppendAll(Concat(frames), [.. frames.Select(f => f.Length)]);
        var taken = new ArrayBufferWriter<byte>();
        var total = 0;
        while (queue.Count > 0)
        {
            var before = taken.WrittenCount;
            var count = queue.TakeInto(taken, 7, 3000, out var bytes);
            Assert.InRange(count, 1, 7);
            Assert.Equal(taken.WrittenCount - before + (count * EventQueue.SlotBytes), bytes);
            Assert.True(count == 1 || taken.WrittenCount - before <= 3000, "a batch went over its byte bound");
            total += count;
        }

        Assert.Equal(400, total);
        Assert.Equal(Concat(frames), taken.WrittenSpan.ToArray());
    }

    [Fact]
    public void TakeInto_StopsAtTheFrameBound_LeavingTheRestQueued()
    {
        var queue = new EventQueue();
        var frames = Enumerable.Range(0, 10).Select(i => Evt([1], 10)).ToList();
        queue.AppendAll(Concat(frames), [.. frames.Select(f => f.Length)]);

        Assert.Equal(4, queue.TakeInto(new ArrayBufferWriter<byte>(), 4, int.MaxValue, out _));
        Assert.Equal(6, queue.Count);
        Assert.Equal(0, queue.TakeInto(new ArrayBufferWriter<byte>(), 0, int.MaxValue, out var none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void DropOldest_RemovesExactlyTheOldestFrame_AndCountsEachOfItsSids()
    {
        var queue = new EventQueue();
        var first = Evt([3, 200, 70_000], 20);
        var second = Evt([3], 40);
        queue.Append(first);
        queue.Append(second);
        var lost = new Dictionary<uint, long>();

        Assert.Equal(first.Length + EventQueue.SlotBytes, queue.DropOldest(lost));

        Assert.Equal(new Dictionary<uint, long> { [3] = 1, [200] = 1, [70_000] = 1 }, lost);
        var taken = new ArrayBufferWriter<byte>();
        Assert.Equal(1, queue.TakeInto(taken, long.MaxValue, int.MaxValue, out _));
        Assert.Equal(second, taken.WrittenSpan.ToArray());
    }

    [Fact]
    public void Clear_ReturnsWhatWasHeld_AndTheQueueWorksAfterwards()
    {
        var queue = new EventQueue();
        var big = Evt([1], EventQueue.ChunkBytes * 2);
        queue.Append(big);
        queue.Append(Evt([2], 5));

        Assert.Equal(big.Length + Evt([2], 5).Length + (2 * EventQueue.SlotBytes), queue.Clear());
        Assert.Equal(0, queue.Count);

        var again = Evt([9], 3);
        queue.Append(again);
        var taken = new ArrayBufferWriter<byte>();
        queue.TakeInto(taken, long.MaxValue, int.MaxValue, out _);
        Assert.Equal(again, taken.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("take")]
    [InlineData("drop")]
    [InlineData("clear")]
    public void AQueueEmptiedAfterABurst_GivesItsRingsBack_AndKeepsWorking(string empty)
    {
        // A client may ask for a queue of 1,048,576 events: 16 MiB of the smallest frames is ~240,000 of them, a ring
        // of 262,144 lengths (1 MiB) and ~250 chunk slots. Once the queue is empty, what it keeps is bounded.
        var queue = new EventQueue();
        var frame = RawFrame(62);
        for (var i = 0; i < 240_000; i++)
        {
            queue.Append(frame);
        }

        Assert.True(queue.Capacity.Lengths >= 240_000 && queue.Capacity.Chunks > EventQueue.KeptChunks, "no burst");
        Empty(queue, empty);

        Assert.Equal((0, 0L), (queue.Count, queue.Bytes));
        Assert.True(
            queue.Capacity.Lengths <= EventQueue.KeptSlots && queue.Capacity.Chunks <= EventQueue.KeptChunks,
            $"an empty queue keeps {queue.Capacity.Lengths} length slots and {queue.Capacity.Chunks} chunk slots");
        var frames = Enumerable.Range(0, 3000).Select(i => Evt([(uint)i], i % 50)).ToList();
        foreach (var evt in frames)
        {
            queue.Append(evt);
        }

        var lost = new Dictionary<uint, long>();
        queue.DropOldest(lost);
        var taken = new ArrayBufferWriter<byte>();
        Assert.Equal(2999, queue.TakeInto(taken, long.MaxValue, int.MaxValue, out _));
        Assert.Equal(new Dictionary<uint, long> { [0] = 1 }, lost);
        Assert.Equal(Concat(frames.Skip(1)), taken.WrittenSpan.ToArray());
    }

    [Fact]
    public void AQueueThatStaysWithinTheKeptRing_KeepsItAcrossDrains()
    {
        // The default queue (1,024 events) never reallocates its ring: giving memory back costs such a queue nothing.
        var queue = new EventQueue();
        var frame = RawFrame(62);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < EventQueue.KeptSlots; i++)
            {
                queue.Append(frame);
            }

            Assert.Equal(EventQueue.KeptSlots, queue.Capacity.Lengths);
            while (queue.Count > 0)
            {
                queue.TakeInto(new ArrayBufferWriter<byte>(), 100, int.MaxValue, out _);
            }

            Assert.Equal(EventQueue.KeptSlots, queue.Capacity.Lengths);
        }
    }

    private static void Empty(EventQueue queue, string how)
    {
        switch (how)
        {
            case "take":
                while (queue.Count > 0)
                {
                    queue.TakeInto(new ArrayBufferWriter<byte>(), long.MaxValue, 256 * 1024, out _);
                }

                break;
            case "drop":
                while (queue.Count > 0)
                {
                    queue.DropOldest(lost: null);
                }

                break;
            default:
                queue.Clear();
                break;
        }
    }

    /// <summary>
    /// A frame of <paramref name="body"/> zeros after its length prefix (only a counted drop reads sids).
    /// </summary>
    private static byte[] RawFrame(int body)
    {
        var frame = new byte[ProtocolConstants.HeaderSize + body];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body);
        return frame;
    }

    /// <summary>An EVT frame as the broker writes it, with a payload of <paramref name="padding"/> bytes.</summary>
    private static byte[] Evt(uint[] sids, int padding)
    {
        var suffix = new ArrayBufferWriter<byte>();
        var tail = new byte[padding + 1];
        tail[0] = 0xc0; // a nil then raw bytes: the queue never looks past the sids
        FrameWriter.WriteEvtSuffix(suffix, new ReadOnlySequence<byte>("t.x"u8.ToArray()), new PeerCredentials(1, 2, 3), new ReadOnlySequence<byte>(tail));
        var frame = new ArrayBufferWriter<byte>();
        FrameWriter.WriteEvtPrefix(frame, sids, suffix.WrittenCount);
        frame.Write(suffix.WrittenSpan);
        var bytes = frame.WrittenSpan.ToArray();
        Assert.Equal(bytes.Length - ProtocolConstants.HeaderSize, (int)BinaryPrimitives.ReadUInt32BigEndian(bytes));
        return bytes;
    }

    private static byte[] Concat(IEnumerable<byte[]> frames) => [.. frames.SelectMany(f => f)];
}
