using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix;

public sealed partial class BusServer
{
    internal const int MaxSunPath = 107;
    internal const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    internal const UnixFileMode UserDirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private (Socket Listener, ulong Inode) BindSocket()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The DECNET bus broker needs a Unix host.");
        }

        var path = SocketPath;
        if (Encoding.UTF8.GetByteCount(path) > MaxSunPath)
        {
            throw new BusStartupException(path, $"bus: socket path {path} is longer than {MaxSunPath} bytes (the UNIX socket limit); choose a shorter DECNET_BUS_SOCKET.");
        }

        EnsureDirectory(path);
        ClearStaleSocket(path);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // bind(2) creates the socket file with 0777 & ~umask. umask is process-wide, so set the narrowest mask
            // that is still harmless to other threads creating files meanwhile: 0007 only removes world access
            // (never owner or group bits). The file is then never world-accessible, not even for an instant, and
            // the chmod below narrows it to exactly 0660 (the x bits mean nothing on a socket).
            var previous = Libc.Umask(0b000_000_111);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(path));
            }
            finally
            {
                Libc.Umask(previous);
            }

            File.SetUnixFileMode(path, SocketMode);
            var groupShown = ApplyGroup(path);
            listener.Listen(512);
            var (_, inode) = PathInspector.Inspect(path);
            BrokerLog.Listening(_logger, path, groupShown);
            return (listener, inode);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new BusStartupException(path, $"bus: cannot listen on {path}: {ex.Message}", ex);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private static void EnsureDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory) || OperatingSystem.IsWindows())
        {
            return;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var userDefault = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".decnet");
        if (userDefault is not null && string.Equals(Path.TrimEndingDirectorySeparator(directory), userDefault, StringComparison.Ordinal))
        {
            // Only the per-user default is created: /run/decnet belongs to systemd (RuntimeDirectory=decnet).
            Directory.CreateDirectory(directory, UserDirMode);
            return;
        }

        throw new BusStartupException(path, $"bus: directory {directory} does not exist; create it (systemd: RuntimeDirectory=decnet) or set DECNET_BUS_SOCKET.");
    }

    private void ClearStaleSocket(string path)
    {
        var (kind, _) = InspectOrThrow(path);
        switch (kind)
        {
            case PathKind.Missing:
                return;
            case PathKind.Socket:
                break;
            case PathKind.Symlink:
                throw new BusStartupException(path, $"bus: {path} is a symbolic link; refusing to replace it (remove it yourself if it is yours).");
            default:
                throw new BusStartupException(path, $"bus: {path} exists and is not a socket ({kind}); refusing to delete it.");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new BusStartupException(path, $"bus: another broker is already running on {path}; refusing to displace it.");
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody listens: a socket left by a crashed broker.
            }
            catch (SocketException ex)
            {
                throw new BusStartupException(path, $"bus: cannot probe the existing socket {path}: {ex.Message}", ex);
            }
        }

        // Re-check right before deleting so a file swapped in meanwhile is never removed.
        if (InspectOrThrow(path).Kind == PathKind.Socket)
        {
            File.Delete(path);
            BrokerLog.StaleSocketReplaced(_logger, path);
        }
    }

    /// <summary>Gives the socket to the configured group; returns what the "listening" log line should say about it.</summary>
    private string ApplyGroup(string path)
    {
        const string Unchanged = "(unchanged)";
        var group = _options.Group;
        if (string.IsNullOrEmpty(group))
        {
            return Unchanged;
        }

        var gid = GroupLookup.FindGid(group);
        if (gid is null)
        {
            BrokerLog.GroupMissing(_logger, group, path);
            return Unchanged;
        }

        if (Libc.Chown(path, uint.MaxValue, gid.Value) != 0)
        {
            BrokerLog.ChownFailed(_logger, path, group, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            return Unchanged;
        }

        return group;
    }

    /// <summary>Removes the socket only if it is still the one this broker bound (same inode); returns whether it did.</summary>
    /// <summary>Whether the file at the socket path is the socket this broker bound (same inode).</summary>
    private bool OwnsSocketFile()
    {
        try
        {
            var (kind, inode) = PathInspector.Inspect(SocketPath);
            return kind == PathKind.Socket && inode == _socketInode;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Removes the socket file if it is still this broker's (the listener's disposal usually did already).</summary>
    private void RemoveSocketFile()
    {
        if (OwnsSocketFile())
        {
            try
            {
                File.Delete(SocketPath);
            }
            catch (IOException)
            {
            }
        }
    }

    private static (PathKind Kind, ulong Inode) InspectOrThrow(string path)
    {
        try
        {
            return PathInspector.Inspect(path);
        }
        catch (IOException ex)
        {
            throw new BusStartupException(path, $"bus: cannot inspect {path}: {ex.Message}", ex);
        }
    }
}
