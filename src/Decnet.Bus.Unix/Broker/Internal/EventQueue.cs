using System.Buffers;
using System.Numerics;
using MessagePack;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One connection's queued EVT frames, as the bytes that go on the wire, in pooled chunks, with a ring of frame lengths
/// beside them so the oldest frame can be dropped exactly (docs/Service-Bus.md, "Backpressure") without an object per
/// event. A chunk goes back to the pool as soon as its last frame is sent or dropped, so what the queue holds stays
/// within a chunk at each end of what its frames need; once empty, it keeps at most <see cref="KeptSlots"/> length
/// slots and <see cref="KeptChunks"/> chunk slots. Not thread-safe: the owning connection holds its lock.
/// </summary>
internal sealed class EventQueue
{
    /// <summary>What a queued frame costs besides its bytes: its slot in the length ring.</summary>
    public const int SlotBytes = sizeof(int);

    internal const int ChunkBytes = 64 * 1024;

    /// <summary>The most length slots an empty queue keeps: the default queue's 1,024 events (4 KiB).</summary>
    internal const int KeptSlots = 1024;

    /// <summary>The most chunk slots an empty queue keeps (the chunks themselves all go back to the pool).</summary>
    internal const int KeptChunks = 16;

    private byte[][] _chunks = new byte[4][];
    private int[] _used = new int[4];
    private int _firstChunk;
    private int _chunkCount;
    private int _offset;

    private int[] _lengths = new int[16];
    private int _first;
    private long _frameBytes;

    /// <summary>Frames queued.</summary>
    public int Count { get; private set; }

    /// <summary>What the queued frames hold: their bytes plus <see cref="SlotBytes"/> each.</summary>
    public long Bytes => _frameBytes + ((long)Count * SlotBytes);

    /// <summary>The lengths of the ring of frame lengths and of the ring of chunks (for tests).</summary>
    internal (int Lengths, int Chunks) Capacity => (_lengths.Length, _chunks.Length);

    /// <summary>Appends one whole frame (length prefix included).</summary>
    public void Append(ReadOnlySpan<byte> frame)
    {
        var length = frame.Length;
        AppendAll(frame, new ReadOnlySpan<int>(in length));
    }

    /// <summary>Appends frames laid end to end whose lengths are <paramref name="lengths"/>: one copy per chunk they fill.</summary>
    public void AppendAll(ReadOnlySpan<byte> frames, ReadOnlySpan<int> lengths)
    {
        ReserveSlots(lengths.Length);
        var at = 0;
        while (at < lengths.Length)
        {
            // As many whole frames as the last chunk still takes, in one copy; a frame never spans two chunks.
            var room = _chunkCount == 0 ? 0 : _chunks[Last].Length - _used[Last];
            var bytes = 0;
            var end = at;
            while (end < lengths.Length && bytes + lengths[end] <= room)
            {
                bytes += lengths[end++];
            }

            if (end == at)
            {
                AddChunk(Math.Max(ChunkBytes, lengths[at]));
                continue;
            }

            frames[..bytes].CopyTo(_chunks[Last].AsSpan(_used[Last]));
            _used[Last] += bytes;
            frames = frames[bytes..];
            for (; at < end; at++)
            {
                _lengths[(_first + Count) & (_lengths.Length - 1)] = lengths[at];
                Count++;
            }

            _frameBytes += bytes;
        }
    }

    /// <summary>Removes the oldest frame, counting it against its sids in <paramref name="lost"/> if given; returns what it held.</summary>
    public int DropOldest(Dictionary<uint, long>? lost)
    {
        var length = _lengths[_first];
        if (lost is not null)
        {
            CountSids(_chunks[_firstChunk].AsMemory(_offset, length), lost);
        }

        Consume(length);
        return length + SlotBytes;
    }

    /// <summary>
    /// Moves up to <paramref name="maxFrames"/> of the oldest frames, and at most <paramref name="maxBytes"/> bytes
    /// unless the first frame alone is larger, into <paramref name="destination"/>. Returns the frames taken; their
    /// share of <see cref="Bytes"/> is in <paramref name="bytes"/>.
    /// </summary>
    public int TakeInto(IBufferWriter<byte> destination, long maxFrames, int maxBytes, out long bytes)
    {
        var frames = 0;
        var total = 0;
        while (Count > 0 && frames < maxFrames)
        {
            var length = _lengths[_first];
            if (frames > 0 && total + length > maxBytes)
            {
                break;
            }

            // Every frame left in the first chunk that fits goes in one copy.
            var run = 0;
            var n = 0;
            var used = _used[_firstChunk];
            while (n < Count && frames + n < maxFrames)
            {
                var next = _lengths[(_first + n) & (_lengths.Length - 1)];
                if (_offset + run + next > used || ((frames + n) > 0 && total + run + next > maxBytes))
                {
                    break;
                }

                run += next;
                n++;
            }

            if (n == 0)
            {
                break;
            }

            destination.Write(_chunks[_firstChunk].AsSpan(_offset, run));
            for (var i = 0; i < n; i++)
            {
                Consume(_lengths[_first]);
            }

            frames += n;
            total += run;
        }

        bytes = total + ((long)frames * SlotBytes);
        return frames;
    }

    /// <summary>Drops everything; returns what it held.</summary>
    public long Clear()
    {
        var bytes = Bytes;
        while (_chunkCount > 0)
        {
            RemoveFirstChunk();
        }

        Count = 0;
        _frameBytes = 0;
        ShrinkEmpty();
        return bytes;
    }

    private int Last => (_firstChunk + _chunkCount - 1) & (_chunks.Length - 1);

    private void Consume(int length)
    {
        _offset += length;
        _frameBytes -= length;
        _first = (_first + 1) & (_lengths.Length - 1);
        Count--;
        if (_offset == _used[_firstChunk] && (_chunkCount > 1 || Count == 0))
        {
            RemoveFirstChunk();
            if (_chunkCount == 0)
            {
                ShrinkEmpty();
            }
        }
    }

    /// <summary>
    /// Gives back the rings a burst grew (a client may ask for 1,048,576 events: 4 MiB of lengths), which no byte bound
    /// counts once the queue is empty. Called only as the last chunk goes, never per event; a queue within the default
    /// 1,024 events never reallocates its length ring here, and the chunk ring only after holding over 16 chunks.
    /// </summary>
    private void ShrinkEmpty()
    {
        if (_lengths.Length > KeptSlots)
        {
            _lengths = new int[KeptSlots];
        }

        _first = 0;
        if (_chunks.Length > KeptChunks)
        {
            _chunks = new byte[KeptChunks][];
            _used = new int[KeptChunks];
        }

        _firstChunk = 0;
    }

    private void RemoveFirstChunk()
    {
        ArrayPool<byte>.Shared.Return(_chunks[_firstChunk]);
        _chunks[_firstChunk] = null!;
        _firstChunk = (_firstChunk + 1) & (_chunks.Length - 1);
        _chunkCount--;
        _offset = 0;
    }

    private void AddChunk(int size)
    {
        if (_chunkCount == _chunks.Length)
        {
            var chunks = new byte[_chunks.Length * 2][];
            var used = new int[_chunks.Length * 2];
            for (var i = 0; i < _chunkCount; i++)
            {
                chunks[i] = _chunks[(_firstChunk + i) & (_chunks.Length - 1)];
                used[i] = _used[(_firstChunk + i) & (_chunks.Length - 1)];
            }

            _chunks = chunks;
            _used = used;
            _firstChunk = 0;
        }

        var index = (_firstChunk + _chunkCount) & (_chunks.Length - 1);
        _chunks[index] = ArrayPool<byte>.Shared.Rent(size);
        _used[index] = 0;
        _chunkCount++;
    }

    private void ReserveSlots(int frames)
    {
        if (Count + frames <= _lengths.Length)
        {
            return;
        }

        var lengths = new int[(int)BitOperations.RoundUpToPowerOf2((uint)(Count + frames))];
        for (var i = 0; i < Count; i++)
        {
            lengths[i] = _lengths[(_first + i) & (_lengths.Length - 1)];
        }

        _lengths = lengths;
        _first = 0;
    }

    /// <summary>Counts a dropped EVT against each sid its frame carries (length, fixarray, kind, then the sid array).</summary>
    private static void CountSids(ReadOnlyMemory<byte> frame, Dictionary<uint, long> lost)
    {
        var reader = new MessagePackReader(frame[(Protocol.ProtocolConstants.HeaderSize + 2)..]);
        var count = reader.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lost, reader.ReadUInt32(), out _)++;
        }
    }
}
