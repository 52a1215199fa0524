using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>The queue as its writer's source, and the inline flush a publisher's read does at its end.</summary>
internal sealed partial class OutboundQueue : ISendSource
{
    internal const int MaxBatchBytes = 256 * 1024;

    // A Python connection's session: its events are taken into the session's buffer and translated to text outside
    // the lock (by _translate), so publishers appending meanwhile do not wait for the JSON translation.
    private TextSession? _text;
    private Action<PooledBufferWriter>? _translate;

    // The final frame the send loop took with its last batch, written after that batch's translation.
    private byte[]? _takenFinal;

    /// <inheritdoc />
    Lock ISendSource.Gate => _gate;

    /// <inheritdoc />
    bool ISendSource.HasWorkLocked => _control.Count > 0 || _events.Count > 0 || _finalFrame is not null;

    /// <summary>Makes this a Python connection's queue: events taken go to <paramref name="session"/>, and <paramref name="translate"/> writes them as text.</summary>
    public void UseText(TextSession session, Action<PooledBufferWriter> translate)
    {
        lock (_gate)
        {
            _text = session;
            _translate = translate;
        }
    }

    /// <inheritdoc />
    bool ISendSource.TakeLocked(PooledBufferWriter batch)
    {
        TakeLocked(batch, ref _takenFinal);
        return _takenFinal is not null;
    }

    /// <inheritdoc />
    void ISendSource.FinishTake(PooledBufferWriter batch, bool final)
    {
        _translate?.Invoke(batch);
        if (final)
        {
            batch.Write(_takenFinal);
            _takenFinal = null;
        }
    }

    /// <inheritdoc />
    void ISendSource.OnSent()
    {
    }

    /// <summary>
    /// Called once per read by the receive loop that queued events here and claimed this queue's wake-up
    /// (<see cref="ReadBatch.Complete"/>), with that loop's buffer. When the send loop is parked, writes the queued
    /// frames on this thread with a send that never blocks, so a busy publisher's events reach the subscriber in one
    /// write per read and without a thread hand-off. Whatever the socket does not take at once goes to the send loop,
    /// which keeps the stall timeout; a broken socket ends the connection as usual.
    /// </summary>
    public void FlushOrWake(PooledBufferWriter batch)
    {
        FlushStart start;
        lock (_gate)
        {
            start = Writer.BeginFlushLocked(inlineAllowed: !_closing);
            if (start == FlushStart.Inline)
            {
                byte[]? final = null;
                TakeLocked(batch, ref final);
            }
        }

        if (start == FlushStart.Ring)
        {
            Writer.Ring();
        }

        if (start != FlushStart.Inline)
        {
            return;
        }

        _translate?.Invoke(batch);
        var written = Writer.WriteInline(batch.WrittenSpan);
        batch.Reset(keepCapacity: MaxBatchBytes * 2);
        if (!written)
        {
            // The peer is gone: the receive loop sees it too; the send loop stops with the abort. CancelAsync runs the
            // token's callbacks (that connection's pending reads and sends) off this thread, which belongs to another
            // connection's receive loop.
            _ = _abort.CancelAsync();
        }
    }

    /// <summary>
    /// Takes the next batch, for a caller that holds the lock. Control frames go first, except that a reply marked as a
    /// barrier (PONG, STATS) waits for the events queued before its request: events are taken only up to the next such
    /// mark, and the reply goes at the start of the next take (docs/wire-protocol.md, "Ordering"). A Python
    /// connection's events go into its session's buffer instead, for translation once the lock is released.
    /// </summary>
    private void TakeLocked(PooledBufferWriter batch, ref byte[]? final)
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
    }
}
