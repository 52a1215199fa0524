using System.Buffers;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// A pooled buffer of the outbox holding whole frames back to back, with the <see cref="ClientOutbox.FlushAsync"/>
/// waiters whose PING it carries, in order.
/// </summary>
internal sealed class OutboxChunk(int size)
{
    public byte[] Array { get; private set; } = ArrayPool<byte>.Shared.Rent(size);

    public int Length { get; set; }

    public int Frames { get; set; }

    /// <summary>Waiters of the flush PINGs in this chunk; null when it holds none.</summary>
    public List<TaskCompletionSource>? Flushes { get; set; }

    /// <summary>How many of <see cref="Frames"/> are flush PINGs, not publishes.</summary>
    public int FlushCount => Flushes?.Count ?? 0;

    /// <summary>Ordered control frames (STATS) among <see cref="Frames"/>, in order; null when it holds none.</summary>
    public List<byte[]>? Ordered { get; set; }

    /// <summary>How many of <see cref="Frames"/> are not publishes (flush PINGs and ordered control frames).</summary>
    public int NotPublished => FlushCount + (Ordered?.Count ?? 0);

    /// <summary>Empties the chunk for reuse (its waiters must have been handed on).</summary>
    public void Clear()
    {
        Length = 0;
        Frames = 0;
        Flushes = null;
        Ordered = null;
    }

    /// <summary>
    /// Hands this chunk's bytes to an empty <paramref name="batch"/> by exchanging arrays (no copy), and empties the
    /// chunk for reuse with the batch's former array, or with a newly rented one when that is not exactly a chunk's
    /// size: a batch grown on the copying path must not make a chunk (and so what a full outbox drops at once) larger
    /// than <see cref="ClientOutbox.ChunkSize"/>.
    /// </summary>
    public void HandOver(PooledBufferWriter batch)
    {
        var old = batch.Exchange(Array, Length);
        if (old.Length != ClientOutbox.ChunkSize)
        {
            if (old.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(old);
            }

            old = ArrayPool<byte>.Shared.Rent(ClientOutbox.ChunkSize);
        }

        Array = old;
        Clear();
    }

    public void Return()
    {
        ArrayPool<byte>.Shared.Return(Array);
        Array = [];
        Clear();
    }
}
