using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

internal sealed partial class BrokerConnection
{
    internal const int MaxBatchBytes = 256 * 1024;
    internal const int StallSliceBytes = 64 * 1024;

    /// <summary>The one writer of the socket: drains control frames first, then events, into one buffer per write.</summary>
    private async Task SendLoopAsync()
    {
        // Yield so RunAsync can start the receive loop; everything after runs on the pool.
        await Task.Yield();
        using var batch = new PooledBufferWriter(64 * 1024);
        try
        {
            while (true)
            {
                var count = Take(batch, out var final);
                if (final is not null)
                {
                    batch.Write(final);
                }

                if (batch.WrittenCount > 0)
                {
                    await SendAllAsync(batch.WrittenMemory).ConfigureAwait(false);
                    batch.Reset();
                }

                if (final is not null)
                {
                    // After BYE or ERR nothing the peer sends matters: stop reading too, so a stopping broker does
                    // not wait out its flush bound on peers that never close their end.
                    _socket.Shutdown(SocketShutdown.Send);
                    await _abort.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (count == 0)
                {
                    // Parked: give the batch buffer back, so an idle connection holds no send memory.
                    batch.Release();
                    if (!await WaitForWorkAsync().ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
        }
        catch (TimeoutException)
        {
            // The peer stopped reading: its socket buffer is full, so no ERR can reach it. The reason goes to the log
            // and the Stalled counter, and the connection is torn down so its queue stops holding broker memory.
            BrokerLog.ConnectionStalled(_logger, Name, Credentials.Pid, _hub.Limits.StallTimeout.TotalSeconds);
            _hub.CountRejection(BusErrorCode.Stalled);
            _abort.Cancel();
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The peer is gone or the broker aborted us; the receive loop ends too.
            _abort.Cancel();
        }
    }

    /// <summary>Moves queued control frames and up to a batch of events into <paramref name="batch"/>.</summary>
    private int Take(PooledBufferWriter batch, out byte[]? final)
    {
        final = null;
        int count;
        lock (_gate)
        {
            if (_leftover is { } leftover)
            {
                // The unsent tail of an inline write: it continues the byte stream, so it goes first.
                batch.Write(leftover.WrittenSpan);
                leftover.Dispose();
                _leftover = null;
            }

            count = TakeLocked(batch, ref final);
        }

        if (_text is not null)
        {
            // Outside the lock: publishers appending to this queue do not wait for the JSON translation.
            WriteTextEvts(batch);
        }

        return count;
    }

    /// <summary>
    /// The body of <see cref="Take"/>, for a caller that holds <c>_gate</c>. Control frames go first, except that a
    /// reply marked as a barrier (PONG, STATS) waits for the events queued before its request: events are taken only up
    /// to the next such mark, and the reply goes at the start of the next take (docs/wire-protocol.md, "Ordering"). A
    /// Python connection's events go into its session's buffer instead, for the caller to translate once it has
    /// released the lock (<see cref="WriteTextEvts"/>).
    /// </summary>
    private int TakeLocked(PooledBufferWriter batch, ref byte[]? final)
    {
        _control.TakeInto(batch, _eventsOut, MaxBatchBytes);

        if (_lost is { Count: > 0 })
        {
            // Drops take the oldest, so every event counted here is older than every event this batch takes: the
            // report goes right before them (docs/wire-protocol.md, LOST).
            FrameWriter.WriteLost(batch, _lost);
            _lost.Clear();
        }

        var allowed = _control.EventsBeforeNext(_eventsOut);
        IBufferWriter<byte> events = _text is { } text ? text.Taken : batch;
        var count = _events.TakeInto(events, allowed, Math.Max(MaxBatchBytes - batch.WrittenCount, 1), out var bytes);
        _eventsOut += count;
        if (bytes > 0)
        {
            _queuedBytes -= bytes;
            _hub.AddQueuedBytes(-bytes);
            OnEventsTakenLocked(count);
        }

        if (_closing && _events.Count == 0 && _control.Count == 0 && _finalFrame is not null)
        {
            final = _finalFrame;
            _finalFrame = null;
        }

        return count;
    }

    private async ValueTask<bool> WaitForWorkAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_inlineFlushing && (_leftover is not null || _control.Count > 0 || _events.Count > 0 || _finalFrame is not null))
                {
                    _idle = false;
                    return true;
                }

                // Seen under the same lock as every enqueue: an event queued after this line flushes or rings. A new idle
                // spell starts with no wake-up on its way (one rung directly, as for a heartbeat, is spent by now).
                _idle = true;
                _wakePending = false;
            }

            if (!await _doorbell.Reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                return false;
            }

            _doorbell.Reader.TryRead(out _);
        }
    }

    /// <summary>
    /// Called once per read by the receive loop that queued events here (<see cref="ReadBatch.Complete"/>), with that
    /// loop's buffer. When the send loop is idle, writes the queued frames on this thread with a send that never
    /// blocks, so a busy publisher's events reach the subscriber in one write per read and without a thread hand-off.
    /// Whatever the socket does not take at once goes to the send loop, which keeps the stall timeout; a broken socket
    /// ends the connection as usual.
    /// </summary>
    public void FlushOrWake(PooledBufferWriter batch)
    {
        lock (_gate)
        {
            _wakePending = false;
            if (!_idle || _inlineFlushing)
            {
                // The send loop is at work (it takes what was queued), or another thread is flushing (it wakes the
                // loop for anything left when it is done).
                return;
            }

            if (_closing || _leftover is not null)
            {
                _doorbell.Writer.TryWrite(true);
                return;
            }

            byte[]? final = null;
            TakeLocked(batch, ref final);
            _inlineFlushing = true;
        }

        if (_text is not null)
        {
            WriteTextEvts(batch);
        }

        var sent = NonBlockingSend.Send(_socket, batch.WrittenSpan);
        var wake = false;
        lock (_gate)
        {
            _inlineFlushing = false;
            if (sent >= 0 && sent < batch.WrittenCount)
            {
                _leftover = new PooledBufferWriter(batch.WrittenCount - sent);
                _leftover.Write(batch.WrittenSpan[sent..]);
            }

            wake = _idle && (_leftover is not null || _control.Count > 0 || _events.Count > 0 || _finalFrame is not null);
        }

        batch.Reset(keepCapacity: MaxBatchBytes * 2);
        if (sent < 0)
        {
            // The peer is gone: the receive loop sees it too; the send loop stops with the abort. CancelAsync runs the
            // token's callbacks (that connection's pending reads and sends) off this thread, which belongs to another
            // connection's receive loop.
            _ = _abort.CancelAsync();
        }
        else if (wake)
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Writes in slices of at most <see cref="StallSliceBytes"/>; a slice the peer does not accept within the stall
    /// timeout means it stopped reading (<see cref="TimeoutException"/>). Sends to a reading peer complete at once and
    /// take the fast path, so the timer costs nothing in the common case.
    /// </summary>
    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes)
    {
        var stall = _hub.Limits.StallTimeout;
        while (!bytes.IsEmpty)
        {
            var slice = bytes.Length > StallSliceBytes ? bytes[..StallSliceBytes] : bytes;
            var pending = _socket.SendAsync(slice, SocketFlags.None, _abort.Token);
            var sent = pending.IsCompleted || stall == Timeout.InfiniteTimeSpan
                ? await pending.ConfigureAwait(false)
                : await pending.AsTask().WaitAsync(stall, _time).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }
}
