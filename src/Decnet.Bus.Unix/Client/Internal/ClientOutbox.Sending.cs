using System.Buffers;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The send side: the send loop's batches and parking, and the send token that lets a publisher write directly.</summary>
internal sealed partial class ClientOutbox
{
    /// <summary>Wakes the send loop so it sees its cancellation.</summary>
    public void Wake() => _doorbell.Writer.TryWrite(true);

    /// <summary>Moves control frames, then PUB frames up to <paramref name="maxBytes"/>, into <paramref name="batch"/>.</summary>
    /// <returns>True when the final frame was written (the send loop must half-close after sending).</returns>
    public bool Take(IBufferWriter<byte> batch, int maxBytes, out int taken)
    {
        taken = 0;
        lock (_gate)
        {
            if (_sender is not null)
            {
                // A publisher is writing directly; it wakes the loop when it is done.
                return false;
            }

            if (_leftover is { } leftover)
            {
                // The tail of a direct write continues the byte stream, so it goes first.
                batch.Write(leftover.WrittenSpan);
                leftover.Dispose();
                _leftover = null;
            }

            while (_control.TryDequeue(out var frame))
            {
                batch.Write(frame);
                taken++;
                if (ReferenceEquals(frame, PingFrame))
                {
                    _pings.SentKeepalive();
                }
            }

            var bytes = 0;
            while (bytes < maxBytes && _data.TryDequeue(out var chunk))
            {
                bytes += Move(batch, chunk);
                taken += chunk.Frames;
                _pings.Sent(chunk);
                Recycle(chunk);
            }

            if (bytes < maxBytes && _current is { Length: > 0 } current)
            {
                // The chunk being filled goes too; it is kept (emptied) for the next publishes.
                bytes += Move(batch, current);
                taken += current.Frames;
                _pings.Sent(current);
                current.Clear();
            }

            if (_drained is not null && (_bytes <= PaceLowWaterBytes || _closing))
            {
                // Safe under the lock: the continuations run asynchronously, never inline here.
                _drained.TrySetResult();
                _drained = null;
            }

            if (_closing && _frames == 0 && _final is not null)
            {
                batch.Write(_final);
                _final = null;
                taken++;
                return true;
            }

            return false;
        }
    }

    /// <summary>Makes <paramref name="owner"/> the connection direct writes may go to, until <see cref="DropData"/>.</summary>
    public void Attach(object owner)
    {
        lock (_gate)
        {
            _owner = owner;
        }
    }

    /// <summary>
    /// Takes the send token for one direct write on the publishing thread, when the send loop sleeps and nothing is
    /// queued: a lone event then costs one write instead of a send-loop wake-up as well. The caller must call
    /// <see cref="EndDirect"/>.
    /// </summary>
    public bool TryBeginDirect(object owner)
    {
        lock (_gate)
        {
            if (!_waiting || _sender is not null || _owner != owner || _closing || _frames > 0 || _control.Count > 0 || _leftover is not null)
            {
                return false;
            }

            _sender = owner;
            return true;
        }
    }

    /// <summary>
    /// Gives the token back after a direct write. <paramref name="unsent"/>, the part the socket did not take, is
    /// sent by the send loop before anything else. Ignored when the connection ended meanwhile.
    /// </summary>
    public void EndDirect(object owner, ReadOnlySpan<byte> unsent)
    {
        bool ring;
        lock (_gate)
        {
            if (_sender != owner)
            {
                return;
            }

            _sender = null;
            if (!unsent.IsEmpty)
            {
                _leftover = new PooledBufferWriter(unsent.Length);
                _leftover.Write(unsent);
            }

            ring = _waiting && (_leftover is not null || _control.Count > 0 || _frames > 0 || _final is not null);
            if (ring)
            {
                _waiting = false;
            }
        }

        if (ring)
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    /// <summary>Waits until something is queued.</summary>
    /// <remarks>
    /// The token is checked on every wake-up but not passed to the channel: an uncancellable wait reuses the channel's
    /// pooled waiter, so parking allocates nothing. Whoever cancels it must call <see cref="Wake"/>.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                if (_sender is null && (_leftover is not null || _control.Count > 0 || _frames > 0 || _final is not null))
                {
                    // The loop is about to send: no direct write may start until it waits here again.
                    _waiting = false;
                    return;
                }

                _waiting = true;
            }

            await _doorbell.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
            _doorbell.Reader.TryRead(out _);
        }
    }

    private int Move(IBufferWriter<byte> batch, OutboxChunk chunk)
    {
        batch.Write(chunk.Array.AsSpan(0, chunk.Length));
        _bytes -= chunk.Length;
        _frames -= chunk.Frames;
        return chunk.Length;
    }
}
