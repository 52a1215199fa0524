using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// The few libc calls .NET has no API for: umask, chown by gid, group lookup, statx without following links, and a
/// send that never blocks whatever mode .NET keeps the socket in.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const uint StatxType = 0x1;
    public const uint StatxIno = 0x100;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int EAgain = 11;
    public const int EIntr = 4;

    [LibraryImport("libc", EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getgrnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetGrNam(string name);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirFd, string path, int flags, uint mask, byte* statxBuffer);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(System.Net.Sockets.SafeSocketHandle socket, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    public static partial uint GetGid();
}
