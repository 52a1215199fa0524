using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

internal sealed partial class BrokerConnection
{
    internal const int MaxBatchBytes = 256 * 1024;
    internal const int MaxBatchItems = 512;
    internal const int StallSliceBytes = 64 * 1024;

    /// <summary>The one writer of the socket: drains control frames first, then events, into one buffer per write.</summary>
    private async Task SendLoopAsync()
    {
        // Yield so RunAsync can start the receive loop; everything after runs on the pool.
        await Task.Yield();
        using var batch = new PooledBufferWriter(64 * 1024);
        var items = new OutboundItem[MaxBatchItems];
        try
        {
            while (true)
            {
                var count = Take(batch, items, out var final);
                for (var i = 0; i < count; i++)
                {
                    WriteEvt(batch, items[i]);
                    items[i].Event.Release();
                    items[i] = default;
                }

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

    private static void WriteEvt(PooledBufferWriter batch, in OutboundItem item)
    {
        ReadOnlySpan<uint> sids = item.Sids ?? [item.Sid];
        FrameWriter.WriteEvtPrefix(batch, sids, item.Event.Length);
        batch.Write(item.Event.Span);
    }

    /// <summary>Moves queued control frames into <paramref name="batch"/> and up to a batch of events into <paramref name="items"/>.</summary>
    private int Take(PooledBufferWriter batch, OutboundItem[] items, out byte[]? final)
    {
        final = null;
        lock (_gate)
        {
            while (_control.TryDequeue(out var frame))
            {
                batch.Write(frame);
            }

            var count = 0;
            var bytes = 0;
            while (count < items.Length && bytes < MaxBatchBytes && _events.TryDequeue(out var item))
            {
                _queuedBytes -= item.Bytes;
                bytes += item.Bytes;
                items[count++] = item;
            }

            if (_closing && _events.Count == 0 && _finalFrame is not null)
            {
                final = _finalFrame;
                _finalFrame = null;
            }

            return count;
        }
    }

    private async ValueTask<bool> WaitForWorkAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_control.Count > 0 || _events.Count > 0 || _finalFrame is not null)
                {
                    return true;
                }

                // Seen under the same lock as every enqueue: an event queued after this line rings the doorbell.
                _parked = true;
            }

            if (!await _doorbell.Reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                return false;
            }

            _doorbell.Reader.TryRead(out _);
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
