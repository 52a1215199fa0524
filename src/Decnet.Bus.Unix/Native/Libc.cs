using System.Runtime.InteropServices;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// The few libc calls .NET has no API for: *at(2) calls on a directory descriptor, bind of a raw socket, a connected
/// socket pair, group lookup, a send that never blocks whatever mode .NET keeps the
/// socket in, a receive that blocks in the kernel whatever that mode, and a socket's unread bytes.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AtFdCwd = Statx.AtFdCwd;
    public const int AtSymlinkNoFollow = Statx.AtSymlinkNoFollow;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int EAgain = 11;
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const int EIntr = 4;

    public const int AtRemoveDir = 0x200;
    public const int OCloExec = 0x80000;
    public const uint RenameNoReplace = 0x1;
    public const int AfUnix = 1;
    public const int SockStreamCloExec = 1 | 0x80000;
    public const int EPerm = 1;
    public const int EExist = 17;
    public const int EInval = 22;

    /// <summary>
    /// SIOCOUTQ (TIOCOUTQ): what a socket has sent that its peer has not read yet. 0x5411 on x86, x64, ARM, ARM64 and
    /// RISC-V, the architectures .NET runs on Linux; MIPS, PowerPC and SPARC number it differently.
    /// </summary>
    public const nuint SiocOutq = 0x5411;

    /// <summary>O_DIRECTORY | O_NOFOLLOW of this process's architecture (docs: <see cref="LinuxOpenFlags"/>).</summary>
    public static int ODirectoryNoFollow => LinuxOpenFlags.Directory | LinuxOpenFlags.NoFollow;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirFd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirFd, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirFd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(int dirFd, string name, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirFd, string name, uint owner, uint group, int flags);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int oldDirFd, string oldName, int newDirFd, string newName, uint flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getgrnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetGrNam(string name);

    [LibraryImport("libc", EntryPoint = "getgrgid", SetLastError = true)]
    public static partial nint GetGrGid(uint gid);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(System.Net.Sockets.SafeSocketHandle socket, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(System.Net.Sockets.SafeSocketHandle socket, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* pollFds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "ioctl")]
    public static partial int Ioctl(System.Net.Sockets.SafeSocketHandle socket, nuint request, int* value);

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    public static partial uint GetGid();
}
