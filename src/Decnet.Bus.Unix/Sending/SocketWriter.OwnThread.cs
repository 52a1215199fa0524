using System.Net.Sockets;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// The send loop on a thread of its own (a client's connection): it parks in the kernel and its sends wait for room
/// in poll(2), so no wake-up or send of the loop goes through the thread pool (docs/performance.md, part 17).
/// </summary>
internal sealed partial class SocketWriter
{
    // Set by Ring for a loop on its own thread; the short spin of ManualResetEventSlim catches a ring that comes at once.
    // Never disposed: it holds no handle unless its WaitHandle is asked for, and a producer may still ring after Dispose.
    private readonly ManualResetEventSlim? _bell;

    /// <summary>
    /// The send loop on the calling thread, which it blocks (only for a writer made with <c>ownThread</c>). Ends as
    /// <see cref="RunAsync"/> does; an abort must shut the socket down (<see cref="SocketShutdown.Both"/>) as well as
    /// cancel, since a send waiting for room wakes only for that.
    /// </summary>
    public SendEnd Run(CancellationToken cancellationToken)
    {
        if (_bell is null)
        {
            throw new InvalidOperationException("This writer's loop runs on the thread pool (RunAsync).");
        }

        using var registration = cancellationToken.UnsafeRegister(static state => ((SocketWriter)state!).Ring(), this);
        using var batch = new PooledBufferWriter(64 * 1024);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!TakeOrPark(batch, out var final))
                {
                    if (_releaseWhenParked)
                    {
                        batch.Release();
                    }

                    // Reset before the next look at the state: a ring after it is kept for the next wait.
                    _bell.Wait(CancellationToken.None);
                    _bell.Reset();
                    continue;
                }

                _source.FinishTake(batch, final);
                if (batch.WrittenCount > 0)
                {
                    SendAll(batch.WrittenSpan, cancellationToken);
                    AfterSend(batch, final);
                }

                if (final)
                {
                    _socket.Shutdown(SocketShutdown.Send);
                    return SendEnd.Final;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            return SendEnd.Aborted;
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/>, sleeping in poll(2) while the socket is full.</summary>
    /// <exception cref="IOException">The socket is broken or was shut down.</exception>
    private void SendAll(ReadOnlySpan<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = NonBlockingSend.Send(_socket, bytes);
            if (sent < 0)
            {
                throw new IOException("the socket is closed or broken");
            }

            if (sent == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                NoteWaitingForRoom(true);
                try
                {
                    SocketPoll.Wait(_socket.SafeHandle, Libc.PollOut);
                }
                finally
                {
                    NoteWaitingForRoom(false);
                }

                continue;
            }

            bytes = bytes[sent..];
            Interlocked.Add(ref _sentBytes, sent);
        }
    }
}
