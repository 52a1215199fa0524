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

    /// <summary>When set, <see cref="FinishTake"/> signals <see cref="InFinish"/> and blocks until it is set: the loop then holds a batch.</summary>
    public ManualResetEventSlim? HoldFinish { get; set; }

    /// <summary>Completes when the loop is inside <see cref="FinishTake"/> with <see cref="HoldFinish"/> set.</summary>
    public TaskCompletionSource InFinish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>Queues <paramref name="bytes"/> and rings without a claim, as a client's control frame is queued.</summary>
    public void EnqueueAndRing(byte[] bytes)
    {
        lock (Gate)
        {
            _queue.Enqueue(bytes);
        }

        Writer!.Ring();
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
        if (HoldFinish is { } hold)
        {
            InFinish.TrySetResult();
            hold.Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// The broker's pattern: queue, claim the parked writer's wake-up, and only later (at the end of a read) flush,
    /// writing inline what the queue holds when the claim still stands, else ringing. Returns false when nothing was claimed.
    /// </summary>
    public bool EnqueueAndFlush(byte[] bytes, PooledBufferWriter buffer)
    {
        bool claimed;
        lock (Gate)
        {
            _queue.Enqueue(bytes);
            claimed = Writer!.ClaimWakeLocked();
        }

        if (!claimed)
        {
            return false;
        }

        FlushStart start;
        lock (Gate)
        {
            start = Writer.BeginFlushLocked(inlineAllowed: true);
            if (start == FlushStart.Inline)
            {
                TakeLocked(buffer);
            }
        }

        if (start == FlushStart.Ring)
        {
            Writer.Ring();
        }
        else if (start == FlushStart.Inline)
        {
            Writer.WriteInline(buffer.WrittenSpan);
            buffer.Reset();
        }

        return true;
    }

    public void OnSent() => Interlocked.Increment(ref _sent);
}
