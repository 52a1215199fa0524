using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// A receive that waits in the kernel on the calling thread, whatever blocking mode .NET keeps the socket in: the
/// thread sleeps in poll(2) and the kernel wakes it when bytes arrive, with no thread-pool hand-off in between
/// (docs/performance-history-2.md, part 8). It never hands the socket to the runtime's event thread, as an asynchronous
/// receive would (docs/performance-history-4.md, part 23).
/// </summary>
internal static class BlockingReceive
{
    /// <summary>Receives into <paramref name="buffer"/>: the byte count, 0 at the end of the stream.</summary>
    /// <exception cref="IOException">The socket failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe int Receive(Socket socket, Span<byte> buffer)
    {
        var handle = socket.SafeHandle;
        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for data, as the asynchronous one does, instead of reading as the end.
            SocketPoll.Wait(handle, Libc.PollIn);
            return 0;
        }

        while (true)
        {
            nint received;
            fixed (byte* pointer = buffer)
            {
                // Pinned only for the call: the wait below may last hours on a quiet connection.
                received = Libc.Recv(handle, pointer, buffer.Length, Libc.MsgDontWait);
            }

            if (received >= 0)
            {
                return (int)received;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EIntr)
            {
                continue;
            }

            if (errno != Libc.EAgain)
            {
                throw new IOException($"receive failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            SocketPoll.Wait(handle, Libc.PollIn);
        }
    }
}
