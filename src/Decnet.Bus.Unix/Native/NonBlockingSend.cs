using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// A send that never waits, whatever blocking mode .NET keeps the socket in: for writing on the calling thread when
/// the socket has room, and handing the rest to an async send loop when it has not.
/// </summary>
internal static class NonBlockingSend
{
    /// <summary>Sends what the socket takes now: the byte count (0 when its buffer is full), or -1 when it is broken or closed.</summary>
    public static unsafe int Send(Socket socket, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return 0;
        }

        try
        {
            fixed (byte* pointer = bytes)
            {
                while (true)
                {
                    var sent = Libc.Send(socket.SafeHandle, pointer, bytes.Length, Libc.MsgDontWait | Libc.MsgNoSignal);
                    if (sent >= 0)
                    {
                        return (int)sent;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.EIntr)
                    {
                        return errno == Libc.EAgain ? 0 : -1;
                    }
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }
}
