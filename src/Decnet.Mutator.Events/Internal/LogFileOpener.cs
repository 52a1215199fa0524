using System.Runtime.InteropServices;
using System.Text;
using Decnet.Bus.Internal;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// Opens the ingest log for one append without ever following a symlink or blocking, and accepts a regular file only
/// (docs/mutation-events.md, "How the file is written"). Whoever can write the log's directory could otherwise point
/// the log at any file the emitter may write (a symlink), or stall every emit (a FIFO without a reader).
/// </summary>
internal static class LogFileOpener
{
    /// <summary>
    /// How long an open that fails with EWOULDBLOCK is tried again. With O_NONBLOCK, open(2) of a regular file on
    /// which another process holds a lease (Samba, nfsd) fails at once instead of waiting while the holder gives it
    /// back; the failed open has begun that lease break, so a retry soon succeeds.
    /// </summary>
    public static readonly TimeSpan LeaseBreakWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// O_NONBLOCK keeps open(2) of a FIFO from waiting for a reader; on a regular file it only turns the wait for a
    /// lease break into EWOULDBLOCK, which <see cref="OpenRetrying"/> retries. O_RDWR lets the writer check the last
    /// byte. O_NOCTTY: a terminal at the path is refused only after the open, and without the flag that open alone
    /// would make it the controlling terminal of a session leader that has none (every systemd service), whose
    /// hang-up would then send the host SIGHUP.
    /// </summary>
    private static readonly int _commonFlags = LibC.OCreat | LibC.OAppend | LibC.OCloexec | LibC.ONofollow | LibC.ONonblock | LibC.ONoctty;

    private const int _regularFile = 0x8000;

    /// <summary>Opens <paramref name="fullPath"/>, or returns why not (a refused kind of file, or the errno).</summary>
    public static LogFileOpening Open(string fullPath)
    {
        var pathBytes = Encoding.UTF8.GetBytes(fullPath + "\0");
        var readable = true;
        var fd = OpenRetrying(pathBytes, LibC.ORdwr | _commonFlags);
        if (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EAcces)
        {
            // Write permission without read permission: still append, just without the last-byte check.
            readable = false;
            fd = OpenRetrying(pathBytes, LibC.OWronly | _commonFlags);
        }

        if (fd < 0)
        {
            return LogFileOpening.Failed(DescribeOpenFailure(fullPath, Marshal.GetLastPInvokeError()));
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var statError = Statx.Read(handle, out var status);
        if (statError != 0)
        {
            handle.Dispose();
            return LogFileOpening.Failed(AppendOutcome.Failed(AppendOnlyFileWriter.OpenFailure, $"cannot stat {fullPath}: {LibC.Describe(statError)}"));
        }

        if (status.Type != _regularFile)
        {
            handle.Dispose();
            return LogFileOpening.Failed(Refused(fullPath, status.Type, detail: null));
        }

        // The last byte is only trustworthy while no other emitter is mid-write: the kernel raises the size page by
        // page during one write(2), so a concurrent line can look torn. Emitters hold AppendLock from this check to
        // the end of their write; its wait is bounded, so a process that sits on the lock cannot stall an emit.
        // Without the lock (any reader may hold a conflicting read lock) the check is still made: misreading a
        // concurrent line costs an empty line, which readers skip; skipping the check would let a fragment swallow
        // this event.
        _ = AppendLock.TryAcquire(handle);
        var size = LibC.SizeOf(handle);
        return LogFileOpening.Opened(handle, size, readable && size > 0 && EndsInsideALine(handle, size));
    }

    /// <summary>
    /// True when the file's last byte is not <c>\n</c>: an earlier write was cut short and its fragment could not be
    /// ended, so the next line must start with one. A failed read counts as "no" (nothing is added).
    /// </summary>
    private static bool EndsInsideALine(SafeFileHandle handle, long size)
    {
        if (size == 0)
        {
            return false;
        }

        byte last = 0;
        nint read;
        do
        {
            read = LibC.PRead(handle, ref last, 1, size - 1);
        }
        while (read < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr);

        return read == 1 && last != (byte)'\n';
    }

    /// <summary>open(2), tried again on EINTR, and on EWOULDBLOCK (a lease break) for at most <see cref="LeaseBreakWait"/>.</summary>
    private static int OpenRetrying(byte[] pathBytes, int flags)
    {
        var leaseBreak = new BoundedRetry(LeaseBreakWait);
        int fd;
        while ((fd = LibC.Open(pathBytes, flags, LibC.FileMode0640)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EIntr && (errno != LibC.EAgain || !leaseBreak.Pause()))
            {
                // The pause's sleep may have overwritten the errno the caller reports.
                Marshal.SetLastPInvokeError(errno);
                break;
            }
        }

        return fd;
    }

    /// <summary>ELOOP (a symlink), ENXIO (a FIFO without reader, a socket) and EISDIR name what is at the path.</summary>
    private static AppendOutcome DescribeOpenFailure(string fullPath, int errno)
    {
        if (errno == LibC.EAgain)
        {
            return AppendOutcome.Failed(
                AppendOnlyFileWriter.OpenFailure,
                $"cannot open {fullPath}: {LibC.Describe(errno)}; another process holds a lease on it (Samba, nfsd) and did not give it back within {LeaseBreakWait.TotalSeconds:0} s");
        }

        var detail = $"open: {LibC.Describe(errno)}";
        if (errno is LibC.ELoop or LibC.ENxio or LibC.EIsDir)
        {
            if (Statx.Read(Statx.AtFdCwd, fullPath, Statx.AtSymlinkNoFollow, out var status) == 0 && status.Type != _regularFile)
            {
                return Refused(fullPath, status.Type, detail);
            }
        }

        return AppendOutcome.Failed(AppendOnlyFileWriter.OpenFailure, $"cannot open {fullPath}: {LibC.Describe(errno)}");
    }

    private static AppendOutcome Refused(string fullPath, int type, string? detail)
    {
        var kind = type switch
        {
            0xA000 => "a symbolic link (never followed)",
            0x1000 => "a FIFO",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x4000 => "a directory",
            var other => $"a file of type 0x{other:X4}",
        };
        var reason = $"refusing {fullPath}: it is {kind}; only a regular file is accepted";
        return AppendOutcome.Failed(AppendOnlyFileWriter.RefusedFailure, detail is null ? reason : $"{reason} ({detail})");
    }
}
