using System.Runtime.CompilerServices;
using System.Text;

namespace Decnet.Cli.Mutation;

/// <summary>
/// Splits an ingest log into lines at LF only, unlike <see cref="TextReader.ReadLineAsync()"/>, which also ends a line
/// at a bare CR: a CR inside a field someone else wrote would otherwise start a second, forged line.
/// </summary>
/// <remarks>
/// One CR right before the LF is dropped (CRLF files read as LF files), matching what
/// <see cref="Decnet.Mutator.Events.Rfc5424Parser"/> accepts; any other CR stays in the line, where the parser
/// rejects it ("line break inside the message", docs/mutation-events.md).
/// </remarks>
internal static class LogLines
{
    private const int _bufferChars = 16 * 1024;

    /// <summary>The lines of <paramref name="input"/> without their LF (or CRLF); a last line without LF is included.</summary>
    public static async IAsyncEnumerable<string> ReadAsync(TextReader input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var buffer = new char[_bufferChars];
        var line = new StringBuilder();
        int read;
        while ((read = await input.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, '\n', start, read - start)) >= 0)
            {
                line.Append(buffer, start, newline - start);
                yield return Take(line, endedByLf: true);
                start = newline + 1;
            }

            line.Append(buffer, start, read - start);
        }

        if (line.Length > 0)
        {
            yield return Take(line, endedByLf: false);
        }
    }

    private static string Take(StringBuilder line, bool endedByLf)
    {
        var length = endedByLf && line.Length > 0 && line[^1] == '\r' ? line.Length - 1 : line.Length;
        var text = line.ToString(0, length);
        line.Clear();
        return text;
    }
}
