using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The receive loop, on a thread of its own that waits in the kernel for each read.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>
    /// Runs the receive loop on a thread of its own that waits in the kernel for each read (<see cref="ReceiveStream"/>):
    /// a read then costs no thread-pool hand-off. The connection's abort shuts the socket down, which wakes that thread.
    /// </summary>
    private async Task<string> ReceiveOnOwnThreadAsync()
    {
        return await OwnThread.Start("decnet-bus-recv", () => ReceiveLoopAsync().GetAwaiter().GetResult()).ConfigureAwait(false);
    }

    private static void ShutDownBoth(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<string> ReceiveLoopAsync()
    {
        var maxFrame = ReceiveLimit(Welcome.MaxFrame, Welcome.MaxSubscriptions);
        while (true)
        {
            var result = await _reader.ReadAsync(_abort.Token).ConfigureAwait(false);

            // Any bytes from the broker prove it alive; the keepalive loop only pings a silent one.
            Volatile.Write(ref _reads, _reads + 1);
            var buffer = result.Buffer;
            var paused = false;
            try
            {
                while (true)
                {
                    if (DeliverRun(buffer.FirstSpan, maxFrame) is > 0 and var run)
                    {
                        buffer = buffer.Slice(run);
                        if (_events.ShouldPause)
                        {
                            paused = true;
                            break;
                        }
                    }

                    if (!FrameReader.TryParse(ref buffer, maxFrame, out var frame))
                    {
                        break;
                    }

                    if (Handle(frame) is { } end)
                    {
                        return end;
                    }

                    if (_events.ShouldPause)
                    {
                        // A subscription is behind: the rest of this read waits for it (below), unconsumed.
                        paused = true;
                        break;
                    }
                }

                if (result.IsCompleted && !paused)
                {
                    // An abort ends the read too (it shuts the receive side down): report it as the abort.
                    _abort.Token.ThrowIfCancellationRequested();
                    return "the broker closed the connection";
                }
            }
            finally
            {
                // A last wake-up for each subscription that got events after its run's (EndRun). After a pause
                // nothing was examined past the last frame, so the next read returns the rest at once.
                _events.EndOfRead();
                _reader.AdvanceTo(buffer.Start, paused ? buffer.Start : buffer.End);
            }

            if (_events.Behind.Count > 0)
            {
                // Subscriptions this read left more than half full get a bounded chance to drain before the next
                // read; meanwhile the socket fills and the broker, in turn, slows the publisher (docs/Service-Bus.md).
                // Waited for on this thread, which owns nothing else: the loop stays on it.
                CatchUpWait.Wait(_events.Behind, _catchUpWait, _time, _abort.Token);
            }
        }
    }

    /// <summary>
    /// Queues the run of whole untraced EVTs at the start of <paramref name="bytes"/> straight from the receive buffer
    /// (a subscriber's read is nearly all of them), without a <see cref="Frame"/> or a sequence slice per event; stops
    /// at any other frame (left to <see cref="FrameReader.TryParse"/>) or when a subscription falls behind. Returns the
    /// bytes consumed.
    /// </summary>
    private int DeliverRun(ReadOnlySpan<byte> bytes, int maxFrame)
    {
        var at = 0;
        try
        {
            while (FrameReader.TryReadEvt(bytes[at..], maxFrame, out var length, out var body) && _events.TryDeliver(body))
            {
                at += length;
                if (_events.ShouldPause)
                {
                    break;
                }
            }
        }
        finally
        {
            // Lets go of the lock a run of appends holds and wakes that subscription's consumer.
            _events.EndRun();
        }

        return at;
    }
}
