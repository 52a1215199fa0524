using System.Runtime.InteropServices;

namespace Decnet.Mutator.Events.Internal;

/// <summary>The three libc calls the append-only writer needs (Linux flag values).</summary>
internal static class LibC
{
    public const int OWronly = 0x1;
    public const int OCreat = 0x40;
    public const int OAppend = 0x400;
    public const int OCloexec = 0x80000;
    public const int EIntr = 4;

    /// <summary>rw-r----- : the ingest log is read by the correlator's group, not by everyone.</summary>
    public const int FileMode0640 = 0x1A0;

    // The path is passed as NUL-terminated UTF-8 bytes so no string marshalling is involved.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open(byte[] path, int flags, int mode);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Close(int fd);
}
