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

        var first = new Socket(new SafeSocketHandle(fds[0], ownsHandle: true));
        try
        {
            return (first, new Socket(new SafeSocketHandle(fds[1], ownsHandle: true)));
        }
        catch
        {
            first.Dispose();
            Libc.Close(fds[1]);
            throw;
        }
    }
}
