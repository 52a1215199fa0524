using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// What the loop on a thread of its own (a client's connection, <see cref="Run"/>) does differently: it parks on a
/// bell in the kernel and its sends wait for room in poll(2), so no wake-up or send of the loop goes through the thread
/// pool (docs/performance-history-4.md, part 17).
/// </summary>
internal sealed partial class SocketWriter
{
    // Set by Ring for a loop on its own thread; the short spin of ManualResetEventSlim catches a ring that comes at once.
    // Never disposed: it holds no handle unless its WaitHandle is asked for, and a producer may still ring after Dispose.
    private readonly ManualResetEventSlim? _bell;

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
