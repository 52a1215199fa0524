using System.Buffers.Binary;
using System.Net.Sockets;

namespace Decnet.Bus.Unix.Native;

/// <summary>Reads the connected peer's pid/uid/gid from the kernel (SO_PEERCRED): what a client cannot forge.</summary>
internal static class PeerCredentialsReader
{
    internal const int SolSocket = 1;
    internal const int SoPeerCred = 17;

    /// <summary>Returns the peer's credentials, or null when the platform does not report them.</summary>
    public static PeerCredentials? TryRead(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 12)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } in host byte order (little-endian on every .NET Linux target).
        return new PeerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(ucred[8..]));
    }
}
