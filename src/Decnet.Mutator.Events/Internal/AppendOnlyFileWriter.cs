using System.Runtime.InteropServices;
using System.Text;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// Appends one line per call with exactly one <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>, so lines
/// from several processes never interleave or tear, and every failure comes back with its errno text.
/// </summary>
/// <remarks>
/// Why not Serilog.Sinks.File: it reports sink failures only to the process-wide <c>SelfLog</c>, so the emitter could
/// not tell its caller whether the line was written; and .NET's <c>FileMode.Append</c> seeks once at open instead of
/// using <c>O_APPEND</c>, so its cross-process safety rests on a named mutex around seek+write. The file is opened per
/// line: mutation events are rare, and reopening follows log rotation and recreates a deleted file.
/// </remarks>
internal sealed class AppendOnlyFileWriter
{
    public const string DirectoryFailure = "directory";
    public const string OpenFailure = "open";
    public const string WriteFailure = "write";

    public AppendOutcome Append(string path, string line)
    {
        var fullPath = Path.GetFullPath(path);
        if (EnsureDirectory(fullPath) is { } directoryFailure)
        {
            return directoryFailure;
        }

        var bytes = Encoding.UTF8.GetBytes(line);
        return OperatingSystem.IsLinux() ? AppendLinux(fullPath, bytes) : AppendPortable(fullPath, bytes);
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
            Directory.CreateDirectory(directory);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return AppendOutcome.Failed(DirectoryFailure, $"cannot create directory {directory}: {ex.Message}");
        }
    }

    private static AppendOutcome AppendLinux(string fullPath, byte[] bytes)
    {
        var pathBytes = Encoding.UTF8.GetBytes(fullPath + "\0");
        int fd;
        do
        {
            fd = LibC.Open(pathBytes, LibC.OWronly | LibC.OCreat | LibC.OAppend | LibC.OCloexec, LibC.FileMode0640);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr);

        if (fd < 0)
        {
            return AppendOutcome.Failed(OpenFailure, $"cannot open {fullPath}: {LastError()}");
        }

        try
        {
            nint written;
            do
            {
                written = LibC.Write(fd, bytes, bytes.Length);
            }
            while (written < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr);

            if (written < 0)
            {
                return AppendOutcome.Failed(WriteFailure, $"cannot write {fullPath}: {LastError()}");
            }

            // Retrying the rest would be a second write() that another process could interleave with, so a short
            // write (in practice only a full disk) is reported, not patched.
            return written == bytes.Length
                ? AppendOutcome.Written
                : AppendOutcome.Failed(WriteFailure, $"short write to {fullPath}: {written} of {bytes.Length} bytes (disk full?)");
        }
        finally
        {
            _ = LibC.Close(fd);
        }
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

    private static string LastError()
    {
        var errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
