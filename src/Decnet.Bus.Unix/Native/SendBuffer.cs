using System.Globalization;
using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>The kernel send buffer a connection asks for (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>).</summary>
internal static class SendBuffer
{
    /// <summary>
    /// Asks the kernel for a send buffer of <paramref name="bytes"/> (SO_SNDBUF: Linux caps the request at
    /// <c>net.core.wmem_max</c>, then doubles it); 0 keeps the kernel's default. A refusal keeps the default too: the
    /// buffer's size changes how many writes a stream takes, never what it delivers (docs/performance-history-3.md, part 14).
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

    /// <summary>
    /// The most a send buffer request is granted before doubling (<c>net.core.wmem_max</c>); null when it cannot be
    /// read (no procfs, or a network namespace that does not show it).
    /// </summary>
    public static int? KernelCap()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/core/wmem_max").Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cap) ? cap : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
