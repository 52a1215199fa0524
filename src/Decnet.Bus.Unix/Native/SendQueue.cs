using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>What a socket has sent that its peer has not read yet.</summary>
internal static class SendQueue
{
    /// <summary>
    /// The socket's unread bytes (SIOCOUTQ; for a UNIX socket the size of the kernel's buffers holding them, overhead
    /// included, so it drops each time the peer empties one, long before the socket is writable again), or -1 when it
    /// cannot be read (the socket is closed, say).
    /// </summary>
    public static unsafe long Unread(Socket socket)
    {
        try
        {
            int value;
            return Libc.Ioctl(socket.SafeHandle, Libc.SiocOutq, &value) == 0 ? value : -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }
}
