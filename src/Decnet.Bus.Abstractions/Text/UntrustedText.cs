using System.Globalization;
using System.Text;

namespace Decnet.Bus;

/// <summary>
/// Makes a string that came from the wire safe to print on a terminal or write into a log: every character that
/// could move the cursor, start an escape sequence, reorder or hide text is shown as <c>\uXXXX</c> (or
/// <c>\UXXXXXXXX</c> outside the BMP) instead. See docs/reliability.md, "Untrusted strings".
/// </summary>
/// <remarks>
/// Escaped: control characters (C0, DEL, C1, so ESC and CR/LF), Unicode format characters (category Cf: bidi
/// controls, zero-width characters, the BOM), line and paragraph separators, and unpaired surrogates. Everything
/// else, including letters, marks, symbols and emoji, is kept as it is. A backslash is kept too, so an escaped
/// string is never longer than six times the original and an already-escaped string passes through unchanged.
/// </remarks>
public static class UntrustedText
{
    // Inner exceptions DescribeException names at most: bounds the line whatever the libraries below wrap.
    private const int _maxInnerExceptions = 8;

    /// <summary>Returns <paramref name="value"/> with every unsafe character escaped; null becomes the empty string.</summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var first = IndexOfUnsafe(value);
        if (first < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        builder.Append(value, 0, first);
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var scalar = char.ConvertToUtf32(c, value[i + 1]);
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(scalar)))
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\U{scalar:X8}");
                }
                else
                {
                    builder.Append(c).Append(value[i + 1]);
                }

                i++;
            }
            else if (char.IsSurrogate(c) || IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="Escape"/> of at most the first <paramref name="maxChars"/> characters of <paramref name="value"/>,
    /// followed by <c>… (N more characters)</c> when there were more: for quoting a wire string in an error message or a
    /// log line, whose size the sender must not choose (escaping alone makes a control character six).
    /// </summary>
    public static string Excerpt(string? value, int maxChars = 128)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);
        if (value is null || value.Length <= maxChars)
        {
            return Escape(value);
        }

        var cut = Cut(value, maxChars);
        return string.Create(CultureInfo.InvariantCulture, $"{Escape(cut)}… ({value.Length - cut.Length} more characters)");
    }

    /// <summary>
    /// <c>Type: message</c> of <paramref name="exception"/> and of each inner exception (at most
    /// <see cref="_maxInnerExceptions"/>), joined by <c> ---&gt; </c> as <see cref="Exception.ToString"/> joins them, each
    /// message an <see cref="Excerpt"/>: for logging an exception whose messages quote the network (a NATS server's
    /// <c>-ERR</c> text), which a log sink given the exception object would print raw.
    /// </summary>
    internal static string DescribeException(Exception exception, int maxChars = 512)
    {
        var builder = new StringBuilder();
        var depth = 0;
        for (Exception? e = exception; e is not null && depth <= _maxInnerExceptions; e = e.InnerException, depth++)
        {
            if (depth > 0)
            {
                builder.Append(" ---> ");
            }

            builder.Append(e.GetType().Name).Append(": ").Append(Excerpt(e.Message, maxChars));
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="DescribeException"/> followed, on the same line, by the stack of each exception of the chain, innermost
    /// first as <see cref="Exception.ToString"/> orders them, frames joined by <c> | </c>: for an exception no outage
    /// explains (a bug), whose stack an operator needs while its messages may still quote the network. The frames name
    /// this process's code, not the wire's text; they are escaped all the same, and one line suits journald, which
    /// would split a multi-line message into entries.
    /// </summary>
    internal static string DescribeExceptionWithStack(Exception exception, int maxChars = 512)
    {
        var chain = new List<Exception>();
        for (Exception? e = exception; e is not null && chain.Count <= _maxInnerExceptions; e = e.InnerException)
        {
            chain.Add(e);
        }

        var builder = new StringBuilder(DescribeException(exception, maxChars));
        var framed = false;
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (framed && i < chain.Count - 1)
            {
                builder.Append(" | --- End of inner exception stack trace ---");
            }

            foreach (var frame in (chain[i].StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                builder.Append(framed ? " | " : "; stack: ").Append(Escape(frame));
                framed = true;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The first <paramref name="maxChars"/> characters of <paramref name="value"/>, one fewer when that would end in
    /// half a surrogate pair (the cut would read as an unpaired surrogate that was not in the string).
    /// </summary>
    internal static string Cut(string value, int maxChars)
        => value.Length <= maxChars ? value : value[..(char.IsHighSurrogate(value[maxChars - 1]) ? maxChars - 1 : maxChars)];

    /// <summary>True when <see cref="Escape"/> would change <paramref name="value"/>.</summary>
    public static bool NeedsEscaping(string? value) => !string.IsNullOrEmpty(value) && IndexOfUnsafe(value) >= 0;

    /// <summary>
    /// Index of the first control character (C0, DEL or C1: what <see cref="char.IsControl(char)"/> reports) in
    /// <paramref name="value"/>, or -1. The wire refuses these in an envelope type and a client name
    /// (docs/wire-protocol.md §6, ERR 1). Printable ASCII is one vectorized scan.
    /// </summary>
    internal static int IndexOfControl(ReadOnlySpan<char> value)
    {
        var odd = value.IndexOfAnyExceptInRange(' ', '~');
        if (odd < 0)
        {
            return -1;
        }

        for (var i = odd; i < value.Length; i++)
        {
            if (char.IsControl(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfUnsafe(string value)
    {
        var span = value.AsSpan();

        // Fast path: printable ASCII is always safe.
        var odd = span.IndexOfAnyExceptInRange(' ', '~');
        if (odd < 0)
        {
            return -1;
        }

        for (var i = odd; i < span.Length; i++)
        {
            var c = span[i];
            if (c is >= ' ' and <= '~')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, span[i + 1]))))
                {
                    return i;
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c) || IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control
        or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate;
}
