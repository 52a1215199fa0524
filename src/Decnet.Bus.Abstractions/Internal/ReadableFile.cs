using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

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

    // The first buffer of a file whose size statx could not give: grown as needed.
    private const int _unknownSizeBuffer = 16 * 1024;

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
            kind = NotARegularFile(fd, out _);
        }
        finally
        {
            _ = Close(fd);
        }

        return null;
    }

    /// <summary>
    /// The text (UTF-8, a leading BOM dropped) of the regular file at <paramref name="path"/>, read through one
    /// descriptor opened as <see cref="DescribeOpenFailure"/> opens (a FIFO cannot block it, a terminal cannot become
    /// the controlling one) and asked through that descriptor what it is, so nothing swapped in after the check is
    /// read. At most <paramref name="maxBytes"/>. Each call checks anew: a file read again (at each connect, so a
    /// renewed one is used) that has since become a FIFO or a device is refused, not waited on.
    /// </summary>
    /// <exception cref="IOException">It cannot be opened, is no regular file or is larger; the message names
    /// <paramref name="variable"/> and the path (escaped).</exception>
    public static string ReadAllText(string variable, string path, int maxBytes)
    {
        SafeFileHandle handle;
        long size = -1;
        try
        {
            var fd = Open(path, _openFlags);
            if (fd < 0)
            {
                throw Refused(variable, path, $"cannot be read ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
            }

            handle = new SafeFileHandle(fd, ownsHandle: true);
            if (NotARegularFile(fd, out size) is { } kind)
            {
                handle.Dispose();
                throw Refused(variable, path, $"is {kind}, not a regular file");
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No Linux libc: an ordinary open, which cannot hang on a FIFO elsewhere.
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }

        using (handle)
        {
            // One byte more than allowed tells a file at the limit from a larger one. The buffer starts at the size
            // the descriptor gave and one byte more (the read of which finds the end at once), not at the limit: the
            // files are read at every NATS connect, a few KiB each under a 1 MiB limit. It grows, to that bound, for a
            // file that grew since or whose size says nothing (/proc's say 0), since the read goes to the end.
            var limit = maxBytes + 1L;
            var buffer = new byte[size < 0 ? Math.Min(limit, _unknownSizeBuffer) : Math.Min(limit, size + 1)];
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total == limit)
                    {
                        break;
                    }

                    Array.Resize(ref buffer, (int)Math.Min(limit, buffer.Length * 2L));
                }

                var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total > maxBytes)
            {
                throw Refused(variable, path, $"is over {maxBytes} bytes");
            }

            var text = buffer.AsSpan(0, total);
            return Encoding.UTF8.GetString(text.StartsWith(Encoding.UTF8.Preamble) ? text[Encoding.UTF8.Preamble.Length..] : text);
        }
    }

    private static IOException Refused(string variable, string path, string why)
        => new($"{variable}='{Topics.Printable(path)}' {why}; give the path of a readable regular file");

    /// <summary>
    /// What <paramref name="fd"/> is when no regular file; null for one, or when statx fails. <paramref name="size"/>
    /// is its size in bytes, or -1 when statx fails.
    /// </summary>
    private static string? NotARegularFile(int fd, out long size)
    {
        size = -1;
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

        size = status.Size;

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
