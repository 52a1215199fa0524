using System.Runtime.InteropServices;

namespace Decnet.Bus.Internal;

/// <summary>
/// Whether this process may open a file for reading, asked of the kernel by opening it: a mode test would pass a mode
/// 000 file for root, who reads it anyway, and fail files an ACL grants. Used for the files options name, so a start
/// that cannot read one fails at once with the reason instead of at the first connect. What opened is then asked what
/// it is (through its descriptor, so symlinks are followed and nothing can be swapped in between).
/// </summary>
internal static partial class ReadableFile
{
    // O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY (the same on x64, ARM64, ARM and PowerPC): a FIFO opened
    // without O_NONBLOCK would block the start until some process opened it for writing, and a terminal opened without
    // O_NOCTTY by a session leader without one (a systemd service) would become its controlling terminal, whose
    // hang-up then sends the host SIGHUP.
    private const int _openFlags = LinuxOpenFlags.NonBlocking | 0x80000 | LinuxOpenFlags.NoControllingTerminal;

    // ENOENT, ENOTDIR (Linux): nothing is at the path, or a component of it is no directory.
    private const int _noEntry = 2;
    private const int _notADirectory = 20;

    /// <summary>
    /// Why <paramref name="path"/> cannot be opened for reading (the system's text, e.g. "Permission denied"), or null
    /// when it can; <paramref name="absent"/> says the reason is that nothing is there. A directory opens.
    /// <paramref name="kind"/> names what opened when it is not a regular file ("a directory", "a character device",
    /// "a FIFO", …), else (or when the system cannot tell) null.
    /// </summary>
    public static string? DescribeOpenFailure(string path, out bool absent, out string? kind)
    {
        absent = false;
        kind = null;
        int fd;
        try
        {
            fd = Open(path, _openFlags);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No Linux libc: an ordinary open, which cannot hang on a FIFO elsewhere.
            return DescribeManagedOpenFailure(path, out absent);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            absent = errno is _noEntry or _notADirectory;
            return Marshal.GetPInvokeErrorMessage(errno);
        }

        try
        {
            kind = NotARegularFile(fd);
        }
        finally
        {
            _ = Close(fd);
        }

        return null;
    }

    /// <summary>What <paramref name="fd"/> is when no regular file; null for one, or when statx fails.</summary>
    private static string? NotARegularFile(int fd)
    {
        FileStatus status;
        try
        {
            if (Statx.Read(fd, string.Empty, 0, out status) != 0)
            {
                // A kernel or sandbox without statx: the open's answer stands, as before this check.
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return status.Type switch
        {
            0x8000 => null,
            0x4000 => "a directory",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x1000 => "a FIFO",
            0xC000 => "a socket",
            _ => "an unknown kind of file",
        };
    }

    private static string? DescribeManagedOpenFailure(string path, out bool absent)
    {
        absent = false;
        try
        {
            File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite).Dispose();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            absent = ex is FileNotFoundException or DirectoryNotFoundException;
            return ex.Message;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
