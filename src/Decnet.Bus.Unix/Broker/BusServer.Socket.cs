using System.Net.Sockets;
using System.Text;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix;

public sealed partial class BusServer
{
    internal const int MaxSunPath = 107;
    internal const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    internal const UnixFileMode UserDirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const uint _othersWrite = 0b000_000_010;
    private const uint _sticky = 0b001_000_000_000;
    private const int _backlog = 512;

    /// <summary>Test seam: runs right after bind(2), where a local attacker would race the broker.</summary>
    internal Action? AfterBind { get; set; }

    /// <summary>Test seam: runs right after the socket is renamed to its path, where clients and other brokers see it.</summary>
    internal Action? AfterPlace { get; set; }

    private (Socket Listener, ulong Inode) BindSocket()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The DECNET bus broker needs a Unix host.");
        }

        var path = SocketPath;
        if (path.Length == 0)
        {
            throw new BusStartupException(path, $"bus: {DecnetBusOptions.NoSocketPathMessage}.");
        }

        // The path is the operator's, maybe from a file another process wrote: log lines escape it (and BusStartupException
        // escapes its own message).
        var shown = UntrustedText.Escape(path);
        var directoryPath = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directoryPath) || Path.GetFileName(path).Length == 0)
        {
            // "/" has no parent directory, "/tmp/" no file name: neither can be bound.
            throw new BusStartupException(path, $"bus: socket path {path} names no file in a directory; use a path such as /run/decnet/bus.sock");
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxSunPath || Encoding.UTF8.GetByteCount(directoryPath) + SocketDirectory.BindPathOverhead > MaxSunPath)
        {
            throw new BusStartupException(path, $"bus: socket path {path} is too long: the broker binds in {directoryPath}/.XXXXXXXX/s first, and a UNIX socket path holds at most {MaxSunPath} bytes; choose a shorter DECNET_BUS_SOCKET.");
        }

        EnsureDirectory(path);
        var group = ResolveGroup(path);
        try
        {
            using var directory = SocketDirectory.Open(directoryPath);
            RefuseSharedDirectory(directory, path);
            ClearStaleSocket(path);
            // The built-in default group may exist without this user in it (a developer on a host with the deploy
            // installed): like a missing default group, that keeps the user's own group (docs/operations.md).
            var (listener, inode, grouped) = directory.Bind(Path.GetFileName(path), (uint)SocketMode, group, _backlog, groupOptional: !_options.GroupConfigured, AfterBind, AfterPlace);
            if (group is { } refused && !grouped)
            {
                BrokerLog.GroupRefused(_logger, UntrustedText.Escape(refused.Name), shown);
                group = null;
            }

            BrokerLog.Listening(_logger, shown, UntrustedText.Escape(group?.Name ?? "(unchanged)"));
            return (listener, inode);
        }
        catch (SocketPlacementException ex)
        {
            throw new BusStartupException(path, $"bus: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Refuses a directory others can write without the sticky bit: any local user could rename our socket away and
    /// put their own (or a link) at the path, as sshd's StrictModes refuses such directories. A sticky one (/tmp) must
    /// belong to root or to the broker's user: the sticky bit does not hold back the directory's owner.
    /// </summary>
    private static void RefuseSharedDirectory(SocketDirectory directory, string path)
    {
        var status = directory.Status;
        var mode = status.Mode;
        if ((mode & _othersWrite) == 0)
        {
            return;
        }

        if ((mode & _sticky) == 0)
        {
            throw new BusStartupException(path, $"bus: directory {directory.Path} is writable by others and not sticky (mode {Convert.ToString(mode, 8)}); any local user could replace the socket: use a directory only the broker's user can write (systemd: RuntimeDirectory=decnet).");
        }

        if (status.Uid != 0 && status.Uid != Libc.GetEuid())
        {
            throw new BusStartupException(path, $"bus: directory {directory.Path} is shared (mode {Convert.ToString(mode, 8)}) and owned by uid {status.Uid}, who could replace the socket: use a directory of root's or the broker's user (systemd: RuntimeDirectory=decnet).");
        }
    }

    private static void RemoveIfOurs(string path, ulong inode)
    {
        try
        {
            if (PathInspector.Inspect(path) == (PathKind.Socket, inode))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
    }

    private static void EnsureDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory) || OperatingSystem.IsWindows())
        {
            return;
        }

        var userDefault = DecnetBusOptions.UserSocketDirectory();
        if (userDefault is not null && string.Equals(Path.TrimEndingDirectorySeparator(directory), userDefault, StringComparison.Ordinal))
        {
            // Only the per-user default is created: /run/decnet belongs to systemd (RuntimeDirectory=decnet).
            try
            {
                Directory.CreateDirectory(directory, UserDirMode);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BusStartupException(path, $"bus: cannot create directory {directory}: {ex.Message}; set DECNET_BUS_SOCKET to a path in a directory the broker may use.", ex);
            }

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
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's socket in a sticky directory (/tmp): not ours to remove.
                throw new BusStartupException(path, $"bus: cannot remove the stale socket {path}: {ex.Message}; remove it as its owner or choose another DECNET_BUS_SOCKET.", ex);
            }

            BrokerLog.StaleSocketReplaced(_logger, UntrustedText.Escape(path));
        }
    }

    /// <summary>
    /// The group the socket goes to, or null to leave it alone. A group someone configured that does not exist stops the
    /// start; the built-in default "decnet" missing is normal on a developer machine, quiet when the socket is under the
    /// user's home and a warning elsewhere.
    /// </summary>
    private (uint Gid, string Name)? ResolveGroup(string path)
    {
        var group = _options.Group;
        if (string.IsNullOrEmpty(group))
        {
            return null;
        }

        if (GroupLookup.FindGid(group) is { } gid)
        {
            return (gid, group);
        }

        if (_options.GroupConfigured)
        {
            throw new BusStartupException(path, $"bus: group '{group}' does not exist (DECNET_BUS_GROUP / --group); create it (groupadd --system {group}), name an existing group, or set it to \"\" to leave the socket's group alone.");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home) || !path.StartsWith(Path.TrimEndingDirectorySeparator(home) + "/", StringComparison.Ordinal))
        {
            BrokerLog.GroupMissing(_logger, UntrustedText.Escape(group), UntrustedText.Escape(path));
        }

        return null;
    }

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

    /// <summary>Removes the socket file if it is still this broker's.</summary>
    private void RemoveSocketFile() => RemoveIfOurs(SocketPath, _socketInode);

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
