using System.Net.Sockets;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// The sends of a loop on the thread pool (a broker connection's, <see cref="RunAsync"/>): awaited, in slices bounded by
/// the stall timeout.
/// </summary>
internal sealed partial class SocketWriter
{
    /// <summary>
    /// Waits for a pending slice, a stall timeout at a time, for as long as the peer reads something of what the socket
    /// holds in each (<see cref="PeerProgress"/> rises): the kernel wakes a UNIX socket's writer only once the peer has
    /// emptied three quarters of its send buffer, so with a large buffer (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>) a slow
    /// reader that never stopped would otherwise be cut as stalled (docs/reliability.md, §3).
    /// </summary>
    /// <exception cref="TimeoutException">A whole stall timeout passed with nothing read; the send is ended first.</exception>
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
                    EndStalledSend(send);
                    throw;
                }

                progress = now;
            }
        }
    }

    /// <summary>
    /// A timed-out send is still pending on the socket, from the loop's batch buffer: left alone, it would go on once the
    /// peer read again, after the connection was given up on, from a buffer the loop no longer owns. Shutting the socket
    /// down ends it (the peer reads what the socket held, then the end of the stream); the loop abandons the buffer
    /// rather than returning it to the pool in case the send has not let go of it yet.
    /// </summary>
    private void EndStalledSend(Task<int> send)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        // Observed, so its fault (the send broken by the shutdown) is not reported as unobserved.
        _ = send.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
