using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The send loop draining the outbox, a publisher's direct write, and the keepalive that PINGs a silent broker.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>
    /// Writes one frame straight to the socket when the send loop is parked and nothing is queued (see
    /// <see cref="ClientOutbox.TryBeginDirect"/>). False when it cannot, and the caller queues the frame as usual;
    /// <paramref name="lost"/> is true when the socket turned out to be broken (the connection is ending).
    /// </summary>
    public bool TrySendDirect(ReadOnlySpan<byte> frame, out bool lost)
    {
        lost = false;
        if (!_outbox.TryBeginDirect(_writer))
        {
            return false;
        }

        lost = !_writer.WriteInline(frame);
        return true;
    }

    /// <summary>
    /// Runs the send loop on a thread of its own, which parks and waits for room in the kernel: no event of the loop
    /// goes through the thread pool (docs/performance-history-4.md, part 17). The abort's shutdown (<see cref="RunAsync"/>) wakes a
    /// send waiting for room.
    /// </summary>
    private async Task SendLoopAsync()
    {
        var end = SendEnd.Aborted;
        try
        {
            end = await OwnThread.Start("decnet-bus-send", () => _writer.Run(_abort.Token)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The connection ends on anything (Completion never faults); the reason is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The reason line names the exception only; its stack, which finds the bug, goes with this line.
            ClientLog.UnexpectedLoopFailure(_logger, _shownPath, "send", ex);
            Interlocked.CompareExchange(ref _deadReason, $"unexpected {ex.GetType().Name} in the send loop: {ex.Message}", null);
        }

        if (end != SendEnd.Final)
        {
            // The socket broke, the connection is being torn down, or the loop failed: the receive loop ends too.
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// PINGs the broker after a keepalive interval without a byte from it, and ends the connection when it stays
    /// silent <see cref="PongTicks"/> more intervals: a hung broker (or a lost peer the kernel has not noticed) must
    /// not keep this client from reconnecting. Never throws: a failure ends the connection with its reason, as the
    /// send loop's does, rather than leave it unwatched.
    /// </summary>
    private async Task KeepaliveLoopAsync()
    {
        try
        {
            await PingWhenSilentAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The connection ends on anything (Completion never faults); the reason is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The reason line names the exception only; its stack, which finds the bug, goes with this line.
            ClientLog.UnexpectedKeepaliveFailure(_logger, _shownPath, ex);
            Interlocked.CompareExchange(ref _deadReason, $"unexpected {ex.GetType().Name} in the keepalive loop: {ex.Message}", null);
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task PingWhenSilentAsync()
    {
        // The abort ends the loop by disposing the timer (the wait then returns false), not by cancelling the wait: a
        // cancelled PeriodicTimer wait fails with an exception whose stack trace is read with file and line numbers,
        // about 15 ms of CPU the first time a connection ends in a process (docs/performance-history-4.md, part 20).
        using var timer = new PeriodicTimer(_keepalive, _time);
        using var stop = _abort.Token.UnsafeRegister(static state => ((PeriodicTimer)state!).Dispose(), timer);
        var seen = Volatile.Read(ref _reads);
        var silentSincePing = -1;
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
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
}
