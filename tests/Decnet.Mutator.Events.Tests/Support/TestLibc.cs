using System.Runtime.InteropServices;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>The libc calls the hostile-log-path tests need to build what .NET cannot: a FIFO and a tiny tmpfs.</summary>
internal static class TestLibc
{
    public const int MntDetach = 0x2;
    public const int ORdonly = 0x0;
    public const int ONonblock = 0x800;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", EntryPoint = "mount", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Mount(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string source,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string target,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string fileSystemType,
        nuint flags,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string data);

    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Unmount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int FcntlLock(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int command, byte[] flockStruct);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Fcntl(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int command, int argument);

    /// <summary>
    /// Takes a read lease on <paramref name="path"/> (what Samba and nfsd take for their clients) and sends the lease
    /// break's SIGIO to process <paramref name="notified"/> instead of to the test host: that process dying is the
    /// test's proof that a writer's open has begun the break. The lease goes when the handle is disposed.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle HoldReadLease(string path, int notified)
    {
        const int FSetLease = 1024, FSetOwner = 8, FReadLock = 0;
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (Fcntl(handle, FSetLease, FReadLock) != 0 || Fcntl(handle, FSetOwner, notified) != 0)
        {
            var reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            handle.Dispose();
            throw new IOException($"fcntl(F_SETLEASE/F_SETOWN) {path}: {reason}");
        }

        return handle;
    }

    /// <summary>Opens <paramref name="path"/> for writing and holds a whole-file OFD write lock on it until disposed.</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenWriteLocked(string path) => OpenLocked(path, FileAccess.Write);

    /// <summary>
    /// Opens <paramref name="path"/> read-only and holds a whole-file OFD read lock until disposed: what any reader of
    /// the log (the correlator's group, mode 0640) can do, and it conflicts with the emitters' write lock.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenReadLocked(string path) => OpenLocked(path, FileAccess.Read);

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenLocked(string path, FileAccess access)
    {
        const int FOfdSetLock = 37;
        var handle = File.OpenHandle(path, FileMode.Open, access, FileShare.ReadWrite);
        var request = new byte[32];
        request[0] = access == FileAccess.Read ? (byte)0 : (byte)1; // l_type F_RDLCK or F_WRLCK; whence, start, len (0 = whole file), pid stay 0.
        if (FcntlLock(handle, FOfdSetLock, request) != 0)
        {
            var reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            handle.Dispose();
            throw new IOException($"fcntl(F_OFD_SETLK) {path}: {reason}");
        }

        return handle;
    }

    /// <summary>Opens a FIFO's read end without waiting for a writer (a plain open would block until one comes).</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFifoReader(string path)
    {
        var fd = Open(path, ORdonly | ONonblock);
        return fd >= 0
            ? new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true)
            : throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Creates a FIFO at <paramref name="path"/> (mode 0600) or throws with the errno text.</summary>
    public static void CreateFifo(string path)
    {
        if (MkFifo(path, 0x180) != 0)
        {
            throw new IOException($"mkfifo {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }
}
