using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Reads a double-quoted Go string literal, as nats-server writes a subject into an <c>-ERR</c> with <c>%q</c>
/// (Go's <c>strconv.Quote</c>). Which runes <c>%q</c> escapes depends on the Unicode tables of the Go the server was
/// built with, so a subject is compared after unquoting, never by quoting a pattern the way one Go would. Accepts what
/// Go's <c>strconv.Unquote</c> accepts: <c>\a \b \f \n \r \t \v \\ \"</c>, <c>\xNN</c> and <c>\NNN</c> (one byte each),
/// <c>\uNNNN</c> and <c>\UNNNNNNNN</c> (a rune, not a surrogate); anything else, a raw newline, a missing closing
/// quote, or bytes that are not UTF-8 altogether, is refused.
/// </summary>
internal static class GoUnquote
{
    /// <summary>Unquotes <paramref name="quoted"/>, which must be one literal and nothing else.</summary>
    public static bool TryUnquote(ReadOnlySpan<char> quoted, [NotNullWhen(true)] out string? value)
    {
        if (TryUnquotePrefix(quoted, out value, out var length) && length == quoted.Length)
        {
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Unquotes the literal <paramref name="text"/> begins with; <paramref name="length"/> is how many characters it
    /// spans, both quotes included.
    /// </summary>
    public static bool TryUnquotePrefix(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? value, out int length)
    {
        value = null;
        length = 0;
        if (text.IsEmpty || text[0] != '"')
        {
            return false;
        }

        // An escape yields at most 4 bytes from at least 2 characters, any other character at most 3 bytes.
        var bytes = new byte[3 * text.Length];
        var count = 0;
        for (var at = 1; at < text.Length;)
        {
            var c = text[at];
            if (c == '"')
            {
                if (!Utf8.IsValid(bytes.AsSpan(0, count)))
                {
                    return false;
                }

                value = Encoding.UTF8.GetString(bytes, 0, count);
                length = at + 1;
                return true;
            }

            if (c == '\n')
            {
                return false;
            }

            if (c != '\\')
            {
                var taken = char.IsHighSurrogate(c) ? 2 : 1;
                if (at + taken > text.Length || Rune.DecodeFromUtf16(text.Slice(at, taken), out var rune, out _) != System.Buffers.OperationStatus.Done)
                {
                    return false;
                }

                count += rune.EncodeToUtf8(bytes.AsSpan(count));
                at += taken;
                continue;
            }

            if (!TryEscape(text[(at + 1)..], bytes.AsSpan(count), out var written, out var consumed))
            {
                return false;
            }

            count += written;
            at += 1 + consumed;
        }

        return false;
    }

    /// <summary>One escape after its backslash: the bytes it stands for and how many characters it spans.</summary>
    private static bool TryEscape(ReadOnlySpan<char> text, Span<byte> destination, out int written, out int consumed)
    {
        written = 1;
        consumed = 1;
        var escape = text.IsEmpty ? '\0' : text[0];
        var simple = escape switch
        {
            'a' => 0x07,
            'b' => 0x08,
            'f' => 0x0C,
            'n' => 0x0A,
            'r' => 0x0D,
            't' => 0x09,
            'v' => 0x0B,
            '\\' or '"' => escape,
            _ => -1,
        };
        if (simple >= 0)
        {
            destination[0] = (byte)simple;
            return true;
        }

        int number;
        switch (escape)
        {
            case 'x':
                consumed = 3;
                if (!TryNumber(text, 1, 2, 16, out number))
                {
                    return false;
                }

                destination[0] = (byte)number;
                return true;
            case >= '0' and <= '7':
                consumed = 3;
                if (!TryNumber(text, 0, 3, 8, out number) || number > byte.MaxValue)
                {
                    return false;
                }

                destination[0] = (byte)number;
                return true;
            case 'u' or 'U':
                consumed = escape == 'u' ? 5 : 9;
                if (!TryNumber(text, 1, consumed - 1, 16, out number) || !Rune.IsValid(number))
                {
                    return false;
                }

                written = new Rune(number).EncodeToUtf8(destination);
                return true;
            default:
                // \' included: Go allows it only between single quotes.
                return false;
        }
    }

    /// <summary>Exactly <paramref name="digits"/> digits of <paramref name="radix"/> (8 or 16) from <paramref name="start"/>.</summary>
    private static bool TryNumber(ReadOnlySpan<char> text, int start, int digits, int radix, out int value)
    {
        value = 0;
        if (start + digits > text.Length)
        {
            return false;
        }

        foreach (var c in text.Slice(start, digits))
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => radix,
            };
            if (digit >= radix)
            {
                return false;
            }

            // At most 8 hex digits: 0xFFFFFFFF overflows an int, and is no rune either way.
            value = unchecked((value * radix) + digit);
        }

        return digits < 8 || (uint)value <= 0x10FFFF;
    }
}
