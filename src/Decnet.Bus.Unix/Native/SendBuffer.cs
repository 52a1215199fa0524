using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>The kernel send buffer a connection asks for (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>).</summary>
internal static class SendBuffer
{
    /// <summary>
    /// Asks the kernel for a send buffer of <paramref name="bytes"/> (SO_SNDBUF; Linux doubles it and caps it at
    /// <c>net.core.wmem_max</c>); 0 keeps the kernel's default. A refusal keeps the default too: the buffer's size
    /// changes how many writes a stream takes, never what it delivers (docs/performance.md, part 14).
    /// </summary>
    public static void Apply(Socket socket, int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        try
        {
            socket.SendBufferSize = bytes;
        }
        catch (SocketException)
        {
        }
    }
}
