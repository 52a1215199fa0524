using System.Net.Sockets;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The send loop draining the outbox, a publisher's direct write, and the keepalive that PINGs a silent broker.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>
    /// Writes one frame straight to the socket when the send loop sleeps and nothing is queued (see
    /// <see cref="ClientOutbox.TryBeginDirect"/>). False when it cannot, and the caller queues the frame as usual;
    /// <paramref name="lost"/> is true when the socket turned out to be broken (the connection is ending).
    /// </summary>
    public bool TrySendDirect(ReadOnlySpan<byte> frame, out bool lost)
    {
        lost = false;
        if (!_outbox.TryBeginDirect(this))
        {
            return false;
        }

        var sent = NonBlockingSend.Send(_socket, frame);
        lost = sent < 0;
        _outbox.EndDirect(this, lost ? default : frame[sent..]);
        return true;
    }

    private async Task SendLoopAsync()
    {
        await Task.Yield();
        using var batch = new PooledBufferWriter(64 * 1024);
        try
        {
            while (true)
            {
                await _outbox.WaitAsync(_abort.Token).ConfigureAwait(false);
                var final = _outbox.Take(batch, MaxBatchBytes, out _);
                var memory = batch.WrittenMemory;
                while (!memory.IsEmpty)
                {
                    var sent = await _socket.SendAsync(memory, SocketFlags.None, _abort.Token).ConfigureAwait(false);
                    memory = memory[sent..];
                }

                _outbox.OnSent();

                batch.Reset();
                if (final)
                {
                    _socket.Shutdown(SocketShutdown.Send);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            _abort.Cancel();
        }
    }

    /// <summary>
    /// PINGs the broker after a keepalive interval without a byte from it, and ends the connection when it stays
    /// silent <see cref="PongTicks"/> more intervals: a hung broker (or a lost peer the kernel has not noticed) must
    /// not keep this client from reconnecting.
    /// </summary>
    private async Task KeepaliveLoopAsync()
    {
        using var timer = new PeriodicTimer(_keepalive, _time);
        var seen = Volatile.Read(ref _reads);
        var silentSincePing = -1;
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token).ConfigureAwait(false))
            {
                var reads = Volatile.Read(ref _reads);
                if (reads != seen)
                {
                    seen = reads;
                    silentSincePing = -1;
                    continue;
                }

                if (silentSincePing < 0)
                {
                    _outbox.EnqueuePing();
                    silentSincePing = 0;
                }
                else if (++silentSincePing >= PongTicks)
                {
                    Volatile.Write(ref _deadReason, $"no PONG within {(_keepalive * PongTicks).TotalMilliseconds:0} ms");
                    await _abort.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
