using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The send side: what the connection's <see cref="SocketWriter"/> takes, and a publisher's direct write.</summary>
internal sealed partial class ClientOutbox : ISendSource
{
    /// <inheritdoc />
    Lock ISendSource.Gate => _gate;

    /// <inheritdoc />
    bool ISendSource.HasWorkLocked => _control.Count > 0 || _pongsOwed > 0 || _frames > 0 || _final is not null;

    /// <inheritdoc />
    bool ISendSource.TakeLocked(PooledBufferWriter batch) => TakeLocked(batch, ClientConnection.MaxBatchBytes, out _);

    /// <inheritdoc />
    void ISendSource.FinishTake(PooledBufferWriter batch, bool final)
    {
        // Paced publishers released by the take, signalled outside the lock (a blocked one is woken from here).
        var released = _released;
        if (released is not null)
        {
            _released = null;
            released.TrySetResult();
        }
    }

    /// <summary>
    /// Moves control frames and up to <see cref="MaxPongsPerBatch"/> owed PONGs, then PUB frames up to
    /// <paramref name="maxBytes"/>, into <paramref name="batch"/>. Into an
    /// empty batch with no control frame waiting it moves the oldest chunk alone, handed over without a copy (and the
    /// final frame, when closing and nothing else is queued), so the lock every publish takes is held for a swap, not
    /// for a copy of up to <paramref name="maxBytes"/>.
    /// </summary>
    /// <returns>True when the final frame was written (the send loop must half-close after sending).</returns>
    public bool Take(PooledBufferWriter batch, int maxBytes, out int taken)
    {
        bool final;
        lock (_gate)
        {
            final = TakeLocked(batch, maxBytes, out taken);
        }

        ((ISendSource)this).FinishTake(batch, final);
        return final;
    }

    private bool TakeLocked(PooledBufferWriter batch, int maxBytes, out int taken)
    {
        taken = 0;
        while (_control.TryDequeue(out var frame))
        {
            batch.Write(frame);
            taken++;
            if (ReferenceEquals(frame, PingFrame))
            {
                _pings.SentKeepalive();
            }
        }

        if (_pongsOwed > 0)
        {
            var pongs = (int)Math.Min(_pongsOwed, MaxPongsPerBatch);
            for (var i = 0; i < pongs; i++)
            {
                batch.Write(PongFrame);
            }

            _pongsOwed -= pongs;
            taken += pongs;
        }

        var bytes = 0;
        if (batch.WrittenCount == 0 && HandOverOldest(batch) is { } handed)
        {
            // One chunk per batch then: the lock was held for a swap, not for a copy of up to a chunk.
            taken += handed;
            maxBytes = 0;
        }

        while (bytes < maxBytes && _data.TryDequeue(out var chunk))
        {
            bytes += chunk.Length;
            taken += Move(batch, chunk);
            Recycle(chunk);
        }

        if (bytes < maxBytes && _current is { Length: > 0 } current)
        {
            // The chunk being filled goes too; it is kept (emptied) for the next publishes.
            bytes += current.Length;
            taken += Move(batch, current);
            current.Clear();
        }

        if (_drained is not null && (_bytes <= PaceLowWaterBytes || _closing))
        {
            // Completed in FinishTake, after the lock.
            _released = _drained;
            _drained = null;
        }

        if (_closing && _frames == 0 && _final is not null)
        {
            batch.Write(_final);
            _final = null;

            // Not owed any more: the connection ends with this frame.
            _pongsOwed = 0;
            taken++;
            return true;
        }

        return false;
    }

    /// <summary>Makes <paramref name="writer"/> the one this outbox wakes and direct writes may go to, until <see cref="DropData"/>.</summary>
    public void Attach(SocketWriter writer)
    {
        lock (_gate)
        {
            _writer = writer;
        }
    }

    /// <summary>
    /// Takes <paramref name="writer"/>'s send token for one direct write on the publishing thread, when it is the live
    /// connection's, its send loop is parked and nothing is queued: a lone event then costs one write instead of a
    /// send-loop wake-up as well. The caller must then call <see cref="SocketWriter.WriteInline"/>.
    /// </summary>
    public bool TryBeginDirect(SocketWriter writer)
    {
        lock (_gate)
        {
            return _writer == writer && !_closing && _frames == 0 && _control.Count == 0 && _pongsOwed == 0 && writer.TryBeginInlineLocked();
        }
    }

    /// <summary>
    /// Makes the oldest chunk's array the (empty) batch's, and the batch's former array the chunk's, so its bytes reach
    /// the socket without being copied; returns its frames, or null when nothing is queued.
    /// </summary>
    private int? HandOverOldest(PooledBufferWriter batch)
    {
        var chunk = _data.Count > 0 ? _data.Dequeue() : _current;
        if (chunk is not { Length: > 0 })
        {
            return null;
        }

        var frames = MarkTaken(chunk);
        chunk.HandOver(batch);
        if (!ReferenceEquals(chunk, _current))
        {
            Recycle(chunk);
        }

        return frames;
    }

    /// <summary>Copies a chunk's frames into <paramref name="batch"/>; returns how many.</summary>
    private int Move(IBufferWriter<byte> batch, OutboxChunk chunk)
    {
        batch.Write(chunk.Array.AsSpan(0, chunk.Length));
        return MarkTaken(chunk);
    }

    /// <summary>A chunk left the outbox for the socket: its bytes and frames stop counting, its flush PINGs are on their way.</summary>
    private int MarkTaken(OutboxChunk chunk)
    {
        _bytes -= chunk.Length;
        _frames -= chunk.Frames;
        _pings.Sent(chunk);
        return chunk.Frames;
    }
}
