using System.Net.Sockets;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// Which uids a client accepts as its broker: root, its own uid, the owner of the socket's directory (only that user
/// or root can bind there, as with the shipped unit's /run/decnet) and <see cref="DecnetBusOptions.BrokerUid"/>.
/// Whoever binds the path first would otherwise receive every publish and could forge the publisher stamp
/// (docs/reliability.md, "Hostile input II").
/// </summary>
internal sealed class BrokerIdentity(string socketPath, int? configuredUid)
{
    /// <summary>Throws unless the peer on <paramref name="socket"/> runs as a trusted uid.</summary>
    /// <exception cref="UntrustedBrokerException">The broker's uid is not trusted, or cannot be read.</exception>
    public void Verify(Socket socket)
    {
        var uid = PeerCredentialsReader.TryRead(socket)?.Uid;
        if (uid is { } actual && Trusts(actual))
        {
            return;
        }

        throw new UntrustedBrokerException(uid, (int)Libc.GetEuid());
    }

    private bool Trusts(int uid)
    {
        if (uid == 0 || uid == (int)Libc.GetEuid() || uid == configuredUid)
        {
            return true;
        }

        try
        {
            var directory = PathInspector.Status(Libc.AtFdCwd, Path.GetDirectoryName(Path.GetFullPath(socketPath))!, 0);
            return directory.Kind == PathKind.Directory && directory.Uid == (uint)uid;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
