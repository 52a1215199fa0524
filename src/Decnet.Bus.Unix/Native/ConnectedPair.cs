using System.ComponentModel;
using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>Two connected UNIX stream sockets with no path in the filesystem (socketpair(2)).</summary>
internal static class ConnectedPair
{
    /// <exception cref="Win32Exception">The kernel refused the pair (out of descriptors, say).</exception>
    public static unsafe (Socket First, Socket Second) Create()
    {
        var fds = stackalloc int[2];
        if (Libc.SocketPair(Libc.AfUnix, Libc.SockStreamCloExec, 0, fds) != 0)
        {
            throw new Win32Exception();
        }

        // Each descriptor is owned by its handle from here on, so a failure below closes both, each once.
        var firstHandle = new SafeSocketHandle(fds[0], ownsHandle: true);
        var secondHandle = new SafeSocketHandle(fds[1], ownsHandle: true);
        Socket? first = null;
        try
        {
            first = new Socket(firstHandle);
            return (first, new Socket(secondHandle));
        }
        catch
        {
            first?.Dispose();
            firstHandle.Dispose();
            secondHandle.Dispose();
            throw;
        }
    }
}
