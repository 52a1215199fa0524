using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>Publisher pacing (high/low water marks) and flush barriers (a PING behind the queued publishes).</summary>
internal sealed partial class ClientOutbox
{
    /// <summary>
    /// Queues a PING behind every PUB already queued; the task completes when its PONG arrives, which the broker sends
    /// only after routing those PUBs and writing every EVT it had queued for this connection (docs/wire-protocol.md,
    /// "Ordering"). Faults with <see cref="IOException"/> when the connection ends first. A PING dropped with a full
    /// outbox's oldest chunk is sent again behind the publish that dropped it.
    /// </summary>
    public Task FlushAsync()
    {
        var flush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SocketWriter? ring;
        lock (_gate)
        {
            if (_closing)
            {
                return Task.FromException(new IOException("the client is closing"));
            }

            ring = AppendFlushLocked([flush]);
        }

        ring?.Ring();
        return flush.Task;
    }

    /// <summary>Queues a keepalive PING in the control lane (it holds its place among the PONGs awaited).</summary>
    public void EnqueuePing() => EnqueueControl(PingFrame);

    /// <summary>The broker answered the oldest PING sent.</summary>
    public void OnPong()
    {
        lock (_gate)
        {
            _pings.Answered();
        }
    }

    private SocketWriter? AppendFlushLocked(List<TaskCompletionSource> flushes)
    {
        var ring = AppendLocked(PingFrame);
        (_current!.Flushes ??= []).AddRange(flushes);
        return ring;
    }

    /// <summary>
    /// A task an awaiting publisher should wait for (the outbox is above its high-water mark), or null to go on at
    /// once: a publisher faster than the broker reads is slowed to the broker's speed instead of losing its oldest
    /// events. Every publisher held at once waits for the same hold, which ends under the low-water mark or at most
    /// <see cref="UnixSocketBus.PaceBound"/> after it began (<see cref="OnPaceTimer"/>). Null as well after a hold
    /// ran out, until the socket takes bytes again: a broker that stopped reading costs one bounded wait, not one per
    /// event.
    /// </summary>
    private Task? PaceTaskLocked()
    {
        if (_bytes <= PaceHighWaterBytes || _stalled || _closing)
        {
            return null;
        }

        if (_drained is null)
        {
            // A new hold: its bound starts now. Awaiting publishers resume on the pool (the task runs its continuations
            // asynchronously); one blocked in Wait() is signalled by the releasing thread, which runs none of its code.
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _paceDeadline = _time.GetTimestamp() + TimestampSpan.Of(_paceBound, _time);
            _paceTimer ??= CreatePaceTimer();
            _paceTimer.Change(_paceBound, Timeout.InfiniteTimeSpan);
        }

        return _drained.Task;
    }

    /// <summary>
    /// The timer that bounds every hold, made at the first one. Without the ExecutionContext of the publish that made
    /// it: a timer keeps the context it captured, and with it that caller's async-local values, for the bus's lifetime.
    /// </summary>
    private ITimer CreatePaceTimer()
        => WithoutCallerContext.Start(() => _time.CreateTimer(static state => ((ClientOutbox)state!).OnPaceTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));

    /// <summary>
    /// The hold's timer fired: a hold that outlived its bound means the broker is not reading, so it is released and
    /// pacing stops until the socket takes bytes again (<see cref="OnSent"/>), all under one hold of the lock.
    /// </summary>
    private void OnPaceTimer()
    {
        TaskCompletionSource? release;
        lock (_gate)
        {
            var left = _paceDeadline - _time.GetTimestamp();
            if (_drained is null || left > 0)
            {
                // Released meanwhile, or a later hold re-armed the timer after this firing was due: that hold's bound.
                if (_drained is not null)
                {
                    _paceTimer?.Change(_time.GetElapsedTime(0, left), Timeout.InfiniteTimeSpan);
                }

                return;
            }

            _stalled = true;
            release = _drained;
            _drained = null;
        }

        release.TrySetResult();
    }

    /// <summary>
    /// Whether paced publishers are held now: every release (a batch taken under the low-water mark, a stall, closing)
    /// clears this under the gate, before the released awaits resume on the pool (for tests, which must not read a late
    /// continuation as a publish still held).
    /// </summary>
    internal bool PacedPublishersHeld
    {
        get
        {
            lock (_gate)
            {
                return _drained is not null;
            }
        }
    }

    /// <summary>The socket accepted a batch: the broker reads again, so pacing resumes.</summary>
    public void OnSent()
    {
        lock (_gate)
        {
            _stalled = false;
        }
    }

    private static byte[] EncodeSimple(FrameKind kind)
    {
        using var buffer = new PooledBufferWriter(16);
        FrameWriter.WriteSimple(buffer, kind);
        return buffer.WrittenSpan.ToArray();
    }
}
