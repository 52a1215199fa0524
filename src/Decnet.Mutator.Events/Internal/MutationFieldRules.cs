namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// The identifier rules of docs/mutation-events.md. They are stricter than RFC 5424 on purpose: downstream parsers (including the
/// original correlator, which cuts a value at the first <c>]</c>) must all agree on every field, so only the actor is
/// free text.
/// </summary>
internal static class MutationFieldRules
{
    public const int MaxDeckyLength = 63;
    public const int MaxServiceLength = 64;
    public const int MaxActorLength = 1024;

    /// <summary>
    /// The most services in one set: with every field at its limit a line stays under 40 KB, inside the 64 KiB a reader
    /// of the log (<c>decnet syslog parse</c>) takes whole (docs/mutation-events.md).
    /// </summary>
    public const int MaxServicesPerSet = 256;

    /// <summary>Why <paramref name="decky"/> is not 1–63 of [A-Za-z0-9_-] starting with a letter or digit, or null.</summary>
    public static string? DescribeDeckyError(string? decky)
    {
        if (string.IsNullOrEmpty(decky))
        {
            return "must not be empty";
        }

        if (decky.Length > MaxDeckyLength)
        {
            return $"is {decky.Length} characters long; the limit is {MaxDeckyLength}";
        }

        if (!char.IsAsciiLetterOrDigit(decky[0]))
        {
            return "must start with an ASCII letter or digit";
        }

        foreach (var c in decky)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return $"contains {Describe(c)}; only ASCII letters, digits, '-' and '_' are allowed";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="service"/> is not 1–64 printable ASCII characters other than space , " \ ] =, or null.</summary>
    public static string? DescribeServiceError(string? service)
    {
        if (string.IsNullOrEmpty(service))
        {
            return "is empty";
        }

        if (service.Length > MaxServiceLength)
        {
            return $"is {service.Length} characters long; the limit is {MaxServiceLength}";
        }

        foreach (var c in service)
        {
            if (c is < '!' or > '~' or ',' or '"' or '\\' or ']' or '=')
            {
                return $"contains {Describe(c)}; allowed are printable ASCII characters other than space , \" \\ ] =";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="actor"/> cannot be written on one line, or null. Null and empty are valid (omitted).</summary>
    public static string? DescribeActorError(string? actor)
    {
        if (actor is null)
        {
            return null;
        }

        if (actor.Length > MaxActorLength)
        {
            return $"is {actor.Length} characters long; the limit is {MaxActorLength}";
        }

        for (var i = 0; i < actor.Length; i++)
        {
            var c = actor[i];

            // Control characters (CR, LF, NUL, DEL, C1 ...) and the Unicode line/paragraph separators would let one
            // event become two lines for some reader (Python's str.splitlines splits on U+2028/U+2029 too).
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return $"contains {Describe(c)} at index {i}; control and line-separator characters are not allowed";
            }

            if (char.IsHighSurrogate(c) && i + 1 < actor.Length && char.IsLowSurrogate(actor[i + 1]))
            {
                i++;
                continue;
            }

            // A lone surrogate has no UTF-8 encoding, so it could not survive the file.
            if (char.IsSurrogate(c))
            {
                return $"contains an unpaired surrogate U+{(int)c:X4} at index {i}";
            }
        }

        return null;
    }

    private static string Describe(char c)
        => c is >= '!' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}";
}
