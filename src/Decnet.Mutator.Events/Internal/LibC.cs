using System.Runtime.InteropServices;
using Decnet.Bus.Internal;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// The libc calls the append-only writer needs. Linux flag values; those that differ between architectures come from
/// <see cref="LinuxOpenFlags"/>; statx is the project's one reader, <see cref="Statx"/>.
/// </summary>
internal static class LibC
{
    public const int OWronly = 0x1;
    public const int ORdwr = 0x2;
    public const int OCreat = 0x40;

    /// <summary>O_NOCTTY (see <see cref="LinuxOpenFlags"/>).</summary>
    public const int ONoctty = LinuxOpenFlags.NoControllingTerminal;
    public const int OAppend = 0x400;
    public const int ONonblock = 0x800;
    public const int OCloexec = 0x80000;
    public const int FOfdSetLock = 37;
    public const short FWriteLock = 1;
    public const int FlockStructSize = 32;
    public const int EIntr = 4;
    public const int ENxio = 6;
    public const int EAgain = 11;
    public const int EAcces = 13;
    public const int EIsDir = 21;
    public const int EFBig = 27;
    public const int ELoop = 40;
    public const int RLimitFileSize = 1;

    /// <summary>O_NOFOLLOW of the architecture this process runs on (see <see cref="LinuxOpenFlags"/>).</summary>
    public static readonly int ONofollow = LinuxOpenFlags.NoFollow;

    /// <summary>rw-r----- : the ingest log is read by the correlator's group, not by everyone.</summary>
    public const int FileMode0640 = 0x1A0;

    // Paths are passed as NUL-terminated UTF-8 bytes so no string marshalling is involved.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open(byte[] path, int flags, int mode);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Write(SafeFileHandle fd, ref byte buffer, nint count);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint PRead(SafeFileHandle fd, ref byte buffer, nint count, long offset);

    /// <summary>fcntl(fd, F_OFD_SETLK, struct flock*) (the 64-bit layout: l_type, l_whence, l_start, l_len, l_pid).</summary>
    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int FcntlLock(SafeFileHandle fd, int command, byte[] flockStruct);

    /// <summary>getrlimit(resource, struct rlimit*) (the 64-bit layout: soft, then hard limit).</summary>
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int GetRLimit(int resource, ulong[] limits);

    /// <summary>
    /// The size of the file open as <paramref name="fd"/> (statx on the descriptor), or -1 if unreadable.
    /// </summary>
    public static long SizeOf(SafeFileHandle fd) => Statx.Read(fd, out var status) == 0 ? status.Size : -1;

    /// <summary>The soft RLIMIT_FSIZE in bytes, or null when there is none (RLIM_INFINITY) or it cannot be read.</summary>
    public static ulong? FileSizeLimit()
    {
        var limits = new ulong[2];
        return GetRLimit(RLimitFileSize, limits) == 0 && limits[0] != ulong.MaxValue ? limits[0] : null;
    }


    /// <summary>The errno of the last call, as "text (errno N)".</summary>
    public static string DescribeLastError() => Describe(Marshal.GetLastPInvokeError());

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
