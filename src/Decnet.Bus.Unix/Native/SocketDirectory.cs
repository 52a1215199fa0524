using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// The directory that holds the broker's socket, opened once so that every step acts through its descriptor rather
/// than a path someone could swap. <see cref="Bind"/> creates the socket in a private 0700 directory, sets its mode and
/// group there and renames it into place without replacing anything (docs/reliability.md, "Hostile input II").
/// </summary>
internal sealed class SocketDirectory : IDisposable
{
    /// <summary>What <see cref="Bind"/> adds to the directory's path: "/" + a private directory name + "/s".</summary>
    public const int BindPathOverhead = 1 + _privateNameLength + 2;

    private const int _privateNameLength = 9;
    private const string _boundName = "s";
    private const uint _privateMode = 0b111_000_000;
    private int _fd;

    private SocketDirectory(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>Owner, mode and kind of the directory itself (through the descriptor).</summary>
    public PathStatus Status => PathInspector.Status(_fd, string.Empty);

    /// <summary>Opens <paramref name="path"/> as a directory.</summary>
    /// <remarks>
    /// Without O_DIRECTORY, so that what is there is named in the refusal (<c>… is not a directory</c>); with
    /// O_NOCTTY, so that a terminal swapped in for the directory after the broker's check does not become the
    /// controlling terminal of a broker that leads a session without one (a systemd service), whose hang-up would send
    /// it SIGHUP; with O_NONBLOCK (no effect on a directory), so that a FIFO swapped in is refused at once instead of
    /// holding the start until some process opens it for writing.
    /// </remarks>
    /// <exception cref="SocketPlacementException">It cannot be opened or is not a directory.</exception>
    public static SocketDirectory Open(string path)
    {
        var fd = Libc.Open(path, Libc.OCloExec | LinuxOpenFlags.NoControllingTerminal | LinuxOpenFlags.NonBlocking);
        if (fd < 0)
        {
            throw Failure($"cannot open directory {path}");
        }

        var directory = new SocketDirectory(path, fd);
        if (directory.Status.Kind != PathKind.Directory)
        {
            directory.Dispose();
            throw new SocketPlacementException($"{path} is not a directory");
        }

        return directory;
    }

    /// <summary>What is at <paramref name="name"/> in this directory (a final symlink is not followed).</summary>
    public PathStatus StatusOf(string name) => PathInspector.Status(_fd, name);

    /// <summary>
    /// Creates a socket bound at <paramref name="name"/> with <paramref name="mode"/> and, when given, group
    /// <paramref name="group"/>, listening; returns it, its inode and whether it got the group.
    /// </summary>
    /// <param name="name">The socket's file name in this directory.</param>
    /// <param name="mode">The socket's permission bits.</param>
    /// <param name="group">The group to give the socket, or null to leave it alone.</param>
    /// <param name="backlog">The listen(2) backlog: the socket listens before it is renamed into place.</param>
    /// <param name="groupOptional">
    /// The group is the built-in default, not one someone configured: a chown the kernel refuses (EPERM, the user is not
    /// in the group) leaves the socket in the user's own group instead of failing.
    /// </param>
    /// <param name="afterBind">Test seam: runs right after bind(2).</param>
    /// <param name="afterPlace">Test seam: runs right after the socket is renamed to <paramref name="name"/>.</param>
    /// <exception cref="SocketPlacementException">A step failed, or something appeared at the name meanwhile.</exception>
    public (Socket Socket, ulong Inode, bool Grouped) Bind(string name, uint mode, (uint Gid, string Name)? group, int backlog, bool groupOptional, Action? afterBind, Action? afterPlace)
    {
        var target = System.IO.Path.Combine(Path, name);
        var privateName = "." + Convert.ToHexString(RandomNumberGenerator.GetBytes((_privateNameLength - 1) / 2)).ToLowerInvariant();
        var privatePath = System.IO.Path.Combine(Path, privateName);
        if (Libc.MkdirAt(_fd, privateName, _privateMode) != 0)
        {
            throw Failure($"cannot create the private directory {privatePath}");
        }

        var privateFd = -1;
        var socketFd = -1;
        var placed = false;
        try
        {
            privateFd = Libc.OpenAt(_fd, privateName, Libc.ODirectoryNoFollow | Libc.OCloExec);
            var own = privateFd < 0 ? default : PathInspector.Status(privateFd, string.Empty);
            if (own.Kind != PathKind.Directory || own.Uid != Libc.GetEuid() || (own.Mode & 0b000_111_111) != 0)
            {
                throw new SocketPlacementException($"the private directory {privatePath} was replaced while the broker was starting");
            }

            socketFd = Libc.Socket(Libc.AfUnix, Libc.SockStreamCloExec, 0);
            if (socketFd < 0)
            {
                throw Failure("cannot create a socket");
            }

            BindRaw(socketFd, System.IO.Path.Combine(privatePath, _boundName));
            afterBind?.Invoke();
            var bound = PathInspector.Status(privateFd, _boundName);
            if (bound.Kind != PathKind.Socket)
            {
                throw new SocketPlacementException($"the private directory {privatePath} was replaced while the broker was starting");
            }

            // Nobody else can enter a 0700 directory of ours, so these act on the socket just bound, never a link.
            if (Libc.FchmodAt(privateFd, _boundName, mode, 0) != 0)
            {
                throw Failure($"cannot set the mode of {target}");
            }

            var grouped = false;
            if (group is { } g)
            {
                grouped = Libc.FchownAt(privateFd, _boundName, uint.MaxValue, g.Gid, Libc.AtSymlinkNoFollow) == 0;
                if (!grouped && !(groupOptional && Marshal.GetLastPInvokeError() == Libc.EPerm))
                {
                    throw Failure($"cannot give {target} to group '{g.Name}'");
                }
            }

            // Listening before it is in place: a socket that appears at the path refusing connections looks like a
            // crashed broker's to a second broker probing it, which would delete it and take the path.
            if (Libc.Listen(socketFd, backlog) != 0)
            {
                throw Failure($"cannot listen on {target}");
            }

            if (Libc.RenameAt2(privateFd, _boundName, _fd, name, Libc.RenameNoReplace) != 0)
            {
                throw Marshal.GetLastPInvokeError() == Libc.EExist
                    ? new SocketPlacementException($"{target} appeared while the broker was starting; refusing to replace it")
                    : Failure($"cannot move the socket into place at {target}");
            }

            placed = true;
            afterPlace?.Invoke();
            var landed = StatusOf(name);
            if (landed.Kind != PathKind.Socket || landed.Inode != bound.Inode)
            {
                throw new SocketPlacementException($"{target} is not the socket the broker bound (replaced meanwhile); leaving it");
            }

            // Wrapped only now: a Socket that bound by itself unlinks its bound path by name on disposal, which the
            // broker must not do (it removes its own file only after checking the inode).
            var socket = new Socket(new SafeSocketHandle(socketFd, ownsHandle: true));
            socketFd = -1;
            return (socket, bound.Inode, grouped);
        }
        finally
        {
            if (socketFd >= 0)
            {
                Libc.Close(socketFd);
            }

            if (privateFd >= 0)
            {
                if (!placed)
                {
                    Libc.UnlinkAt(privateFd, _boundName, 0);
                }

                Libc.Close(privateFd);
            }

            Libc.UnlinkAt(_fd, privateName, Libc.AtRemoveDir);
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }

    private static unsafe void BindRaw(int fd, string path)
    {
        // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
        Span<byte> address = stackalloc byte[2 + 108];
        address.Clear();
        address[0] = Libc.AfUnix;
        var length = Encoding.UTF8.GetBytes(path, address[2..^1]);
        fixed (byte* pointer = address)
        {
            if (Libc.Bind(fd, pointer, 2 + length + 1) != 0)
            {
                throw Failure($"cannot bind {path}");
            }
        }
    }

    private static SocketPlacementException Failure(string what)
        => new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
}
