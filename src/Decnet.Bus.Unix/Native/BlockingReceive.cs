using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// A receive that waits in the kernel on the calling thread, whatever blocking mode .NET keeps the socket in: the
/// thread sleeps in poll(2) and the kernel wakes it when bytes arrive, with no runtime event thread or thread-pool
/// hand-off in between (docs/performance.md, part 8).
/// </summary>
internal static class BlockingReceive
{
    /// <summary>Receives into <paramref name="buffer"/>: the byte count, 0 at the end of the stream.</summary>
    /// <exception cref="SocketException">The socket failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe int Receive(Socket socket, Span<byte> buffer)
    {
        var handle = socket.SafeHandle;
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var received = Libc.Recv(handle, pointer, buffer.Length, Libc.MsgDontWait);
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
                    throw new SocketException(errno);
                }

                Wait(handle);
            }
        }
    }

    private static unsafe void Wait(SafeSocketHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            // struct pollfd { int fd; short events; short revents; }, little-endian in one long.
            var pollFd = (uint)(int)handle.DangerousGetHandle() | ((long)Libc.PollIn << 32);
            while (Libc.Poll(&pollFd, 1, -1) < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr)
            {
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
