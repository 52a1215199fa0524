using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Sending;

/// <summary>The send loop on the thread pool (a broker connection's): it parks on the doorbell and awaits its sends.</summary>
internal sealed partial class SocketWriter
{
    /// <summary>
    /// The send loop. Ends when the final frame is sent (after half-closing the socket), when
    /// <paramref name="cancellationToken"/> is cancelled or the socket breaks, or when a slice waits longer than the stall
    /// timeout; never throws for those.
    /// </summary>
    public async Task<SendEnd> RunAsync(CancellationToken cancellationToken)
    {
        if (_bell is not null)
        {
            throw new InvalidOperationException("This writer's loop runs on a thread of its own (Run).");
        }

        // The caller starts its receive loop next, on this thread; everything here runs on the pool.
        await Task.Yield();

        // The doorbell is waited for without the token (the channel's pooled waiter: parking allocates nothing), so a
        // cancellation rings it.
        using var registration = cancellationToken.UnsafeRegister(static state => ((SocketWriter)state!).Ring(), this);
        using var batch = new PooledBufferWriter(64 * 1024);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!TakeOrPark(batch, out var final))
                {
                    // Parked until a producer rings (or the token is cancelled, which rings too).
                    if (_releaseWhenParked)
                    {
                        batch.Release();
                    }

                    await _doorbell.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
                    _doorbell.Reader.TryRead(out _);
                    continue;
                }

                _source.FinishTake(batch, final);
                if (batch.WrittenCount > 0)
                {
                    await SendAllAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    AfterSend(batch, final);
                }

                if (final)
                {
                    _socket.Shutdown(SocketShutdown.Send);
                    return SendEnd.Final;
                }
            }
        }
        catch (TimeoutException)
        {
            return SendEnd.Stalled;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            return SendEnd.Aborted;
        }
    }

    /// <summary>
    /// Waits for a pending slice, a stall timeout at a time, for as long as the peer reads something of what the socket
    /// holds in each (<see cref="PeerProgress"/> rises): the kernel wakes a UNIX socket's writer only once the peer has
    /// emptied three quarters of its send buffer, so with a large buffer (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>) a slow
    /// reader that never stopped would otherwise be cut as stalled (docs/reliability.md, §3).
    /// </summary>
    /// <exception cref="TimeoutException">A whole stall timeout passed with nothing read.</exception>
    private async Task<int> WhileThePeerReadsAsync(Task<int> send)
    {
        var progress = PeerProgress;
        while (true)
        {
            try
            {
                return await send.WaitAsync(_stallTimeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                var now = PeerProgress;
                if (now == long.MinValue || now <= progress)
                {
                    throw;
                }

                progress = now;
            }
        }
    }

    /// <summary>
    /// With a stall timeout, writes in slices of at most <see cref="StallSliceBytes"/>; a slice the peer does not accept
    /// within it, while the peer reads nothing, means it stopped reading (<see cref="TimeoutException"/>). Sends to a
    /// reading peer complete at once and take the fast path, so the timer costs nothing in the common case. Without one,
    /// the whole batch goes in one send.
    /// </summary>
    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var slice = bytes.Length > StallSliceBytes && _stallTimeout != Timeout.InfiniteTimeSpan ? bytes[..StallSliceBytes] : bytes;
            var pending = _socket.SendAsync(slice, SocketFlags.None, cancellationToken);
            int sent;
            if (pending.IsCompleted)
            {
                sent = pending.GetAwaiter().GetResult();
            }
            else
            {
                NoteWaitingForRoom(true);
                try
                {
                    sent = _stallTimeout == Timeout.InfiniteTimeSpan
                        ? await pending.ConfigureAwait(false)
                        : await WhileThePeerReadsAsync(pending.AsTask()).ConfigureAwait(false);
                }
                finally
                {
                    NoteWaitingForRoom(false);
                }
            }

            bytes = bytes[sent..];
            Interlocked.Add(ref _sentBytes, sent);
        }
    }
}
