using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Cli.Terminal;

/// <summary>
/// Standard output as a writer that reports a broken pipe. <see cref="Console.Out"/> silently drops writes that fail
/// with EPIPE, so <c>decnet sub '>' | head -1</c> would run forever after <c>head</c> exits; writing to descriptor 1
/// directly surfaces EPIPE as an <see cref="IOException"/> (the .NET runtime ignores SIGPIPE), and
/// <see cref="CliInvocation"/> turns it into exit 0 (docs/operations.md, "Exit codes").
/// </summary>
internal static class StandardOutput
{
    private const int _standardOutputDescriptor = 1;
    private const int _brokenPipeErrno = 32; // EPIPE on Linux

    /// <summary>A UTF-8 writer on descriptor 1 that flushes every write; <see cref="Console.Out"/> if 1 is unusable.</summary>
    public static TextWriter Open()
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(_standardOutputDescriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (stream.CanSeek)
            {
                // A regular file (`decnet stats > out`): FileStream writes at its own position (pwrite) and never moves
                // the descriptor's shared offset, so whatever the shell writes next would overwrite our output. Files
                // have no EPIPE, so the console stream (plain write(2)) loses nothing here.
                stream.Dispose();
                return Utf8Writer(Console.OpenStandardOutput());
            }

            return Utf8Writer(stream);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Closed (>&-) or not writable: keep Console.Out's forgiving behaviour rather than fail to start.
            return Console.Out;
        }
    }

    private static StreamWriter Utf8Writer(Stream stream)
        => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };

    /// <summary>True when <paramref name="exception"/> is a write into a pipe whose reader has gone.</summary>
    public static bool IsBrokenPipe(Exception exception) => exception is IOException { HResult: _brokenPipeErrno };
}
