using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// Appends one line per call with exactly one <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>, so lines
/// from several processes never interleave, and every failure comes back with its reason.
/// </summary>
/// <remarks>
/// Why not Serilog.Sinks.File: it reports sink failures only to the process-wide <c>SelfLog</c>, so the emitter could
/// not tell its caller whether the line was written; and .NET's <c>FileMode.Append</c> seeks once at open instead of
/// using <c>O_APPEND</c>, so its cross-process safety rests on a named mutex around seek+write. The file is opened per
/// line: mutation events are rare, and reopening follows log rotation and recreates a deleted file.
/// </remarks>
internal sealed class AppendOnlyFileWriter(IDescriptorWriter? descriptorWriter = null)
{
    public const string DirectoryFailure = "directory";
    public const string OpenFailure = "open";
    public const string RefusedFailure = "refused";
    public const string WriteFailure = "write";

    private const UnixFileMode _directoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private static readonly byte[] _newline = [(byte)'\n'];

    private readonly IDescriptorWriter _descriptorWriter = descriptorWriter ?? LibCDescriptorWriter.Instance;

    public AppendOutcome Append(string path, string line)
    {
        var fullPath = Path.GetFullPath(path);
        if (EnsureDirectory(fullPath) is { } directoryFailure)
        {
            return directoryFailure;
        }

        if (!OperatingSystem.IsLinux())
        {
            return AppendPortable(fullPath, Encoding.UTF8.GetBytes(line));
        }

        try
        {
            return AppendLinux(fullPath, line);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // statx is missing from old glibc and some musl builds; no I/O fault may escape the emitter
            // (docs/mutation-events.md). A descriptor already open is closed by its SafeFileHandle's finalizer.
            return AppendOutcome.Failed(OpenFailure, $"cannot append to {fullPath}: the C library lacks a call the writer needs ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private static AppendOutcome? EnsureDirectory(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath);
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                CreateDirectories(directory);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AppendOutcome.Failed(DirectoryFailure, $"cannot create directory {directory}: {ex.Message}");
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and each missing parent as rwxr-x--- (the file is 0640), not
    /// 0777 &amp; ~umask, which a umask of 0 makes world-writable: the log's directory is trusted
    /// (docs/mutation-events.md). <see cref="Directory.CreateDirectory(string, UnixFileMode)"/> gives the mode to the
    /// last directory only, so the missing ones are created one by one, outermost first.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreateDirectories(string directory)
    {
        var missing = new Stack<string>();
        for (var at = directory; !string.IsNullOrEmpty(at) && !Directory.Exists(at); at = Path.GetDirectoryName(at))
        {
            missing.Push(at);
        }

        while (missing.TryPop(out var next))
        {
            Directory.CreateDirectory(next, _directoryMode);
        }
    }

    private AppendOutcome AppendLinux(string fullPath, string line)
    {
        var opening = LogFileOpener.Open(fullPath);
        if (opening.Handle is not { } handle)
        {
            return opening.Failure;
        }

        using (handle)
        {
            // A fragment an earlier short write could not end (the disk was still full): this line starts with the
            // missing "\n", in the same write, so the fragment stays one line and this event stands alone.
            var bytes = Encoding.UTF8.GetBytes(opening.EndsInsideALine ? "\n" + line : line);
            if (PastFileSizeLimit(fullPath, opening.Size, bytes.Length) is { } refusal)
            {
                return refusal;
            }

            var written = _descriptorWriter.Write(handle, bytes);
            if (written < 0)
            {
                return AppendOutcome.Failed(WriteFailure, $"cannot write {fullPath}: {LibC.DescribeLastError()}");
            }

            return written == bytes.Length ? AppendOutcome.Written : ShortWrite(handle, fullPath, bytes, (int)written);
        }
    }

    /// <summary>
    /// A write that would pass RLIMIT_FSIZE is cut short by the kernel, and the next one (the repairing "\n") raises
    /// SIGXFSZ, which kills the process: a library must not change the host's signal dispositions, so such a line is
    /// refused before any byte is written. Checked under the append lock, so other emitters cannot grow the file
    /// between the check and the write; a writer outside the lock still can, and then the repairing "\n" is checked
    /// the same way (<see cref="NewlineWouldPassFileSizeLimit"/>, docs/mutation-events.md).
    /// </summary>
    private static AppendOutcome? PastFileSizeLimit(string fullPath, long size, int length)
    {
        if (size < 0 || LibC.FileSizeLimit() is not { } limit || (ulong)size + (ulong)length <= limit)
        {
            return null;
        }

        return AppendOutcome.Failed(
            WriteFailure,
            $"cannot write {fullPath}: the line ({length} bytes) would pass this process's file-size limit (RLIMIT_FSIZE {limit} bytes; the file has {size}): {LibC.Describe(LibC.EFBig)}; nothing was written");
    }

    /// <summary>
    /// Completing the rest would take a second write() that another process could interleave with, so the line is
    /// reported as not written. Its fragment is ended with a lone "\n" (best effort: on a full disk that can fail too,
    /// and then the next append adds it), so readers see one torn line and the next event on a line of its own.
    /// </summary>
    private AppendOutcome ShortWrite(SafeFileHandle handle, string fullPath, byte[] bytes, int written)
    {
        var reason = $"short write to {fullPath}: {written} of {bytes.Length} bytes (disk full?)";
        if (written == 0 || bytes[written - 1] == (byte)'\n')
        {
            return AppendOutcome.Failed(WriteFailure, reason);
        }

        if (NewlineWouldPassFileSizeLimit(handle) is { } limitReason)
        {
            return AppendOutcome.Failed(WriteFailure, $"{reason}; the fragment was not ended with a newline: {limitReason}, so the next append starts with one");
        }

        var ended = _descriptorWriter.Write(handle, _newline);
        var repair = ended == 1
            ? "the fragment was ended with a newline"
            : $"ending the fragment with a newline failed too ({(ended < 0 ? LibC.DescribeLastError() : "0 bytes")}), so the next append starts with one";
        return AppendOutcome.Failed(WriteFailure, $"{reason}; {repair}");
    }

    /// <summary>
    /// Why the repairing "\n" must not be written, or null. The line was checked against RLIMIT_FSIZE, but a writer
    /// outside the append lock can grow the file between that check and the write, and the kernel then cuts the line
    /// at the limit: a "\n" there would raise SIGXFSZ and kill the process. So the size is read again, as for the
    /// line; an unknown size under a limit counts as too large. The next append's own check refuses its "\n" + line.
    /// What is left is the line's own window: such a writer growing the file between this read and the "\n".
    /// </summary>
    private static string? NewlineWouldPassFileSizeLimit(SafeFileHandle handle)
    {
        if (LibC.FileSizeLimit() is not { } limit)
        {
            return null;
        }

        var size = LibC.SizeOf(handle);
        if (size >= 0 && (ulong)size < limit)
        {
            return null;
        }

        var has = size >= 0 ? $"the file has {size}" : "the file's size cannot be read";
        return $"it would pass this process's file-size limit (RLIMIT_FSIZE {limit} bytes; {has})";
    }

    private static AppendOutcome AppendPortable(string fullPath, byte[] bytes)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            stream.Write(bytes);
            return AppendOutcome.Written;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AppendOutcome.Failed(WriteFailure, $"cannot write {fullPath}: {ex.Message}");
        }
    }
}
