using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>A wait in poll(2) on one socket, for the blocking receive and send that sleep in the kernel.</summary>
internal static class SocketPoll
{
    /// <summary>
    /// Sleeps until the socket is ready for <paramref name="events"/>, or hangs up or fails (the caller's next call
    /// then says how). The descriptor is kept open meanwhile; a shutdown of the socket wakes the wait.
    /// </summary>
    /// <exception cref="IOException">poll itself failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static unsafe void Wait(SafeSocketHandle handle, short events)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var pollFd = new Libc.PollFd { Fd = (int)handle.DangerousGetHandle(), Events = events };
            while (Libc.Poll(&pollFd, 1, -1) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EIntr)
                {
                    throw new IOException($"poll failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
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
