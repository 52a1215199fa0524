using System.Globalization;
using System.Text;

namespace Decnet.Mutator.Events;

/// <summary>
/// A strict RFC 5424 parser: HEADER (PRI, VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID), STRUCTURED-DATA
/// (nil or any number of SD-ELEMENTs with escaped PARAM-VALUEs) and an optional MSG. Never throws on bad input.
/// </summary>
/// <remarks>
/// Strict where the RFC says MUST: field lengths, PRINTUSASCII header fields, no repeated SD-ID, and <c>"</c>,
/// <c>\</c> and <c>]</c> escaped inside PARAM-VALUE (an unescaped <c>]</c> is rejected rather than guessed at). A
/// backslash before any other character is kept literally, as §6.3.3 requires. One trailing <c>\n</c> (or
/// <c>\r\n</c>) is accepted; any other line break is rejected, so one line is one message.
/// </remarks>
public static class Rfc5424Parser
{
    internal const int MaxHostname = 255;
    internal const int MaxAppName = 48;
    internal const int MaxProcId = 128;
    internal const int MaxMsgId = 32;
    internal const int MaxSdName = 32;

    /// <summary>Parses one line.</summary>
    public static Rfc5424ParseResult Parse(string? line)
    {
        if (line is null)
        {
            return Rfc5424ParseResult.Fail("line is null", 0);
        }

        var text = line.EndsWith("\r\n", StringComparison.Ordinal) ? line[..^2]
            : line.EndsWith('\n') ? line[..^1]
            : line;
        var lineBreak = text.AsSpan().IndexOfAny('\r', '\n');
        if (lineBreak >= 0)
        {
            return Rfc5424ParseResult.Fail("line break inside the message", lineBreak);
        }

        var cursor = new Cursor(text);
        try
        {
            return Rfc5424ParseResult.Ok(ParseMessage(ref cursor));
        }
        catch (FormatException ex)
        {
            return Rfc5424ParseResult.Fail(ex.Message, cursor.Position, truncated: text.Length > 0 && cursor.AtEnd);
        }
    }

    private static Rfc5424Message ParseMessage(ref Cursor cursor)
    {
        var priority = ParsePriority(ref cursor);
        var version = ParseVersion(ref cursor);
        cursor.ExpectSpace("VERSION");
        var timestamp = ParseTimestamp(ref cursor);
        cursor.ExpectSpace("TIMESTAMP");
        var hostname = ParseHeaderField(ref cursor, "HOSTNAME", MaxHostname);
        cursor.ExpectSpace("HOSTNAME");
        var appName = ParseHeaderField(ref cursor, "APP-NAME", MaxAppName);
        cursor.ExpectSpace("APP-NAME");
        var procId = ParseHeaderField(ref cursor, "PROCID", MaxProcId);
        cursor.ExpectSpace("PROCID");
        var msgId = ParseHeaderField(ref cursor, "MSGID", MaxMsgId);
        cursor.ExpectSpace("MSGID");
        var structuredData = ParseStructuredData(ref cursor);

        string? message = null;
        if (!cursor.AtEnd)
        {
            cursor.ExpectSpace("STRUCTURED-DATA");
            message = cursor.Rest();
            if (message.StartsWith('\uFEFF'))
            {
                message = message[1..];
            }
        }

        return new Rfc5424Message(priority, version, timestamp, hostname, appName, procId, msgId, structuredData, message);
    }

    private static int ParsePriority(ref Cursor cursor)
    {
        cursor.Expect('<', "PRI must start with '<'");
        var digits = cursor.TakeDigits(1, 3, "PRIVAL");
        cursor.Expect('>', "PRI must end with '>' after 1 to 3 digits");
        var value = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= 191 ? value : throw new FormatException($"PRIVAL {value} is above 191");
    }

    private static int ParseVersion(ref Cursor cursor)
    {
        if (cursor.AtEnd || cursor.Current is < '1' or > '9')
        {
            throw new FormatException("VERSION must be a non-zero digit");
        }

        return int.Parse(cursor.TakeDigits(1, 3, "VERSION"), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset? ParseTimestamp(ref Cursor cursor)
    {
        if (cursor.TryTakeNil())
        {
            return null;
        }

        var year = cursor.TakeNumber(4, "TIMESTAMP year");
        cursor.Expect('-', "TIMESTAMP: expected '-' after the year");
        var month = cursor.TakeNumber(2, "TIMESTAMP month");
        cursor.Expect('-', "TIMESTAMP: expected '-' after the month");
        var day = cursor.TakeNumber(2, "TIMESTAMP day");
        cursor.Expect('T', "TIMESTAMP: expected 'T' between date and time");
        var hour = cursor.TakeNumber(2, "TIMESTAMP hour");
        cursor.Expect(':', "TIMESTAMP: expected ':' after the hour");
        var minute = cursor.TakeNumber(2, "TIMESTAMP minute");
        cursor.Expect(':', "TIMESTAMP: expected ':' after the minute");
        var second = cursor.TakeNumber(2, "TIMESTAMP second");
        long fractionTicks = 0;
        if (cursor.TryTake('.'))
        {
            var fraction = cursor.TakeDigits(1, 6, "TIMESTAMP fraction (1 to 6 digits)");
            fractionTicks = long.Parse(fraction.PadRight(7, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        TimeSpan offset;
        if (cursor.TryTake('Z'))
        {
            offset = TimeSpan.Zero;
        }
        else
        {
            var sign = cursor.TryTake('+') ? 1 : cursor.TryTake('-') ? -1 : throw new FormatException("TIMESTAMP needs 'Z' or a +hh:mm / -hh:mm offset");
            var offsetHours = cursor.TakeNumber(2, "TIMESTAMP offset hours");
            cursor.Expect(':', "TIMESTAMP: expected ':' in the offset");
            var offsetMinutes = cursor.TakeNumber(2, "TIMESTAMP offset minutes");
            if (offsetHours > 23 || offsetMinutes > 59)
            {
                throw new FormatException("TIMESTAMP offset out of range");
            }

            offset = sign * new TimeSpan(offsetHours, offsetMinutes, 0);
        }

        try
        {
            var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
            return new DateTimeOffset(local, offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException("TIMESTAMP is not a valid date and time");
        }
    }

    private static string? ParseHeaderField(ref Cursor cursor, string field, int maxLength)
    {
        var start = cursor.Position;
        while (!cursor.AtEnd && cursor.Current != ' ')
        {
            if (cursor.Current is < '!' or > '~')
            {
                throw new FormatException($"{field} contains U+{(int)cursor.Current:X4}; only printable US-ASCII is allowed");
            }

            cursor.Advance();
        }

        var value = cursor.Slice(start);
        if (value.Length == 0)
        {
            throw new FormatException($"{field} is empty");
        }

        if (value.Length > maxLength)
        {
            throw new FormatException($"{field} is {value.Length} characters long; the limit is {maxLength}");
        }

        return value == "-" ? null : value;
    }

    private static List<StructuredDataElement> ParseStructuredData(ref Cursor cursor)
    {
        var elements = new List<StructuredDataElement>();
        if (cursor.TryTakeNil())
        {
            return elements;
        }

        if (cursor.AtEnd || cursor.Current != '[')
        {
            throw new FormatException("STRUCTURED-DATA must be '-' or start with '['");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (!cursor.AtEnd && cursor.Current == '[')
        {
            cursor.Advance();
            var id = ParseSdName(ref cursor, "SD-ID");
            if (!ids.Add(id))
            {
                throw new FormatException($"SD-ID \"{id}\" appears twice");
            }

            var parameters = new List<KeyValuePair<string, string>>();
            while (cursor.TryTake(' '))
            {
                var name = ParseSdName(ref cursor, "PARAM-NAME");
                cursor.Expect('=', $"expected '=' after PARAM-NAME \"{name}\"");
                cursor.Expect('"', $"expected '\"' to open the value of \"{name}\"");
                parameters.Add(new(name, ParseParamValue(ref cursor, name)));
            }

            cursor.Expect(']', $"SD-ELEMENT \"{id}\" must end with ']'");
            elements.Add(new StructuredDataElement(id, parameters));
        }

        return elements;
    }

    private static string ParseSdName(ref Cursor cursor, string what)
    {
        var start = cursor.Position;
        while (!cursor.AtEnd && cursor.Current is >= '!' and <= '~' and not '=' and not ']' and not '"')
        {
            cursor.Advance();
        }

        var name = cursor.Slice(start);
        if (name.Length == 0)
        {
            throw new FormatException($"{what} is empty or starts with a forbidden character");
        }

        return name.Length <= MaxSdName ? name : throw new FormatException($"{what} is {name.Length} characters long; the limit is {MaxSdName}");
    }

    private static string ParseParamValue(ref Cursor cursor, string name)
    {
        var value = new StringBuilder();
        while (true)
        {
            if (cursor.AtEnd)
            {
                throw new FormatException($"value of \"{name}\" is not closed by '\"'");
            }

            var c = cursor.Current;
            cursor.Advance();
            switch (c)
            {
                case '"':
                    return value.ToString();
                case ']':
                    throw new FormatException($"unescaped ']' in the value of \"{name}\"");
                case '\\' when !cursor.AtEnd && cursor.Current is '"' or '\\' or ']':
                    value.Append(cursor.Current);
                    cursor.Advance();
                    break;
                default:
                    // Includes a backslash before any other character: RFC 5424 keeps it as a literal backslash.
                    value.Append(c);
                    break;
            }
        }
    }

    private struct Cursor(string text)
    {
        private readonly string _text = text;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position >= _text.Length;

        public readonly char Current => _text[Position];

        public void Advance() => Position++;

        public readonly string Slice(int start) => _text[start..Position];

        public string Rest()
        {
            var rest = _text[Position..];
            Position = _text.Length;
            return rest;
        }

        public bool TryTake(char c)
        {
            if (!AtEnd && Current == c)
            {
                Position++;
                return true;
            }

            return false;
        }

        /// <summary>Takes a lone <c>-</c> followed by a space or the end.</summary>
        public bool TryTakeNil()
        {
            if (!AtEnd && Current == '-' && (Position + 1 == _text.Length || _text[Position + 1] == ' '))
            {
                Position++;
                return true;
            }

            return false;
        }

        public void Expect(char c, string error)
        {
            if (!TryTake(c))
            {
                throw new FormatException(error);
            }
        }

        public void ExpectSpace(string after) => Expect(' ', $"expected a space after {after}");

        public string TakeDigits(int min, int max, string what)
        {
            var start = Position;
            while (!AtEnd && char.IsAsciiDigit(Current) && Position - start < max)
            {
                Position++;
            }

            return Position - start >= min ? Slice(start) : throw new FormatException($"{what}: expected {min} to {max} digits");
        }

        public int TakeNumber(int digits, string what)
        {
            var start = Position;
            for (var i = 0; i < digits; i++)
            {
                if (AtEnd || !char.IsAsciiDigit(Current))
                {
                    throw new FormatException($"{what}: expected {digits} digits");
                }

                Position++;
            }

            return int.Parse(_text.AsSpan(start, digits), NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }
}
