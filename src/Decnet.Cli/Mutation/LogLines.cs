using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace Decnet.Cli.Mutation;

/// <summary>One line of an ingest log: its text, or why it was refused instead (then <see cref="Text"/> is empty).</summary>
internal readonly record struct LogLine(string Text, string? Refusal);

/// <summary>
/// Splits an ingest log into lines at LF only and decodes each as strict UTF-8, whatever the locale; unlike
/// <see cref="TextReader.ReadLineAsync()"/>, a bare CR does not end a line: a CR inside a field someone else wrote
/// would otherwise start a second, forged line.
/// </summary>
/// <remarks>
/// One CR right before the LF is dropped (CRLF files read as LF files), matching what
/// <see cref="Decnet.Mutator.Events.Rfc5424Parser"/> accepts; any other CR stays in the line, where the parser
/// rejects it. A UTF-8 BOM at the very start is skipped; no other BOM is honoured. A line that is not UTF-8, or longer
/// than <see cref="MaxLineBytes"/> (never buffered whole), is refused on its own and reading goes on
/// (docs/mutation-events.md, "CLI").
/// </remarks>
internal static class LogLines
{
    /// <summary>The longest line read into memory; longer ones are skipped to their LF and refused.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const int _bufferBytes = 16 * 1024;

    /// <summary>The lines of <paramref name="input"/> without their LF (or CRLF); a last line without LF is included.</summary>
    /// <exception cref="LogReadException">Reading <paramref name="input"/> failed.</exception>
    public static async IAsyncEnumerable<LogLine> ReadAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var buffer = new byte[_bufferBytes];
        var line = new ArrayBufferWriter<byte>(256);
        var skipped = 0L; // bytes of an overlong line, dropped as they come
        var first = true;
        int read;
        while ((read = await ReadAsync(input, buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var rest = buffer.AsMemory(0, read);
            int newline;
            while ((newline = rest.Span.IndexOf((byte)'\n')) >= 0)
            {
                Append(line, ref skipped, rest.Span[..newline]);
                yield return Take(line, ref skipped, ref first, endedByLf: true);
                rest = rest[(newline + 1)..];
            }

            Append(line, ref skipped, rest.Span);
        }

        if (line.WrittenCount > 0 || skipped > 0)
        {
            yield return Take(line, ref skipped, ref first, endedByLf: false);
        }
    }

    /// <exception cref="LogReadException">The read failed.</exception>
    private static async ValueTask<int> ReadAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new LogReadException(ex);
        }
    }

    private static void Append(ArrayBufferWriter<byte> line, ref long skipped, ReadOnlySpan<byte> bytes)
    {
        if (skipped == 0 && line.WrittenCount + bytes.Length <= MaxLineBytes)
        {
            line.Write(bytes);
            return;
        }

        skipped += line.WrittenCount + bytes.Length;
        line.ResetWrittenCount();
    }

    private static LogLine Take(ArrayBufferWriter<byte> line, ref long skipped, ref bool first, bool endedByLf)
    {
        var bytes = line.WrittenSpan;
        if (first && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        first = false;
        if (endedByLf && bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        var result = skipped > 0 ? new LogLine(string.Empty, $"longer than {MaxLineBytes} bytes ({skipped}); skipped, not read") : Decode(bytes);
        skipped = 0;
        line.ResetWrittenCount();
        return result;
    }

    private static LogLine Decode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        if (Utf8.ToUtf16(bytes, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false) == OperationStatus.Done)
        {
            return new LogLine(new string(chars, 0, charsWritten), null);
        }

        return new LogLine(string.Empty, $"not UTF-8: byte {bytesRead + 1} (0x{bytes[bytesRead]:X2}) starts no valid sequence");
    }
}
