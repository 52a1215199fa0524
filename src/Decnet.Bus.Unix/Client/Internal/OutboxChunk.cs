using System.Buffers;

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

    /// <summary>Empties the chunk for reuse (its waiters must have been handed on).</summary>
    public void Clear()
    {
        Length = 0;
        Frames = 0;
        Flushes = null;
    }

    public void Return()
    {
        ArrayPool<byte>.Shared.Return(Array);
        Array = [];
        Clear();
    }
}
