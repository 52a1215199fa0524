using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>What a socket has sent that its peer has not read yet.</summary>
internal static class SendQueue
{
    /// <summary>
    /// The socket's unread bytes (SIOCOUTQ; for a UNIX socket the kernel's buffers for them, so it drops each time the
    /// peer empties one, long before the socket is writable again), or 0 when it cannot be read (closed, say).
    /// </summary>
    public static unsafe long Unread(Socket socket)
    {
        try
        {
            int value;
            return Libc.Ioctl(socket.SafeHandle, Libc.SiocOutq, &value) == 0 ? value : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }
}
