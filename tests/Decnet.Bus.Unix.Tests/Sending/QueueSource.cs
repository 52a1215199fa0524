using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary>The simplest <see cref="ISendSource"/>: a queue of byte arrays and an optional final frame, woken as a producer does.</summary>
internal sealed class QueueSource : ISendSource
{
    private readonly Queue<byte[]> _queue = new();
    private byte[]? _final;
    private int _sent;

    public Lock Gate { get; } = new();

    public SocketWriter? Writer { get; set; }

    /// <summary>Batches the socket accepted.</summary>
    public int Sent => Volatile.Read(ref _sent);

    public bool HasWorkLocked => _queue.Count > 0 || _final is not null;

    /// <summary>Queues <paramref name="bytes"/> and wakes the writer when it is parked, as the broker and the outbox do.</summary>
    public void Enqueue(byte[] bytes)
    {
        bool ring;
        lock (Gate)
        {
            _queue.Enqueue(bytes);
            ring = Writer!.ClaimWakeLocked();
        }

        if (ring)
        {
            Writer.Ring();
        }
    }

    /// <summary>Queues the frame that ends the stream.</summary>
    public void Close(byte[] final)
    {
        lock (Gate)
        {
            _final = final;
        }

        Writer!.Ring();
    }

    public bool TakeLocked(PooledBufferWriter batch)
    {
        while (_queue.TryDequeue(out var bytes))
        {
            batch.Write(bytes);
        }

        if (_final is { } final)
        {
            batch.Write(final);
            _final = null;
            return true;
        }

        return false;
    }

    public void FinishTake(PooledBufferWriter batch, bool final)
    {
    }

    public void OnSent() => Interlocked.Increment(ref _sent);
}
