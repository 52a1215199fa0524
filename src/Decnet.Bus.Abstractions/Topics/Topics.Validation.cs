using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Decnet.Bus;

/// <summary>
/// Topic grammar, matcher, constants and builders (docs/Service-Bus.md, Topics). One grammar everywhere: tokens
/// separated by <c>.</c>, no empty tokens, only visible characters (no whitespace, control, format, separator,
/// unassigned, private-use or noncharacter code points, no unpaired surrogates; see <see cref="TopicCharacters"/>),
/// case-sensitive, non-ASCII letters, marks and symbols allowed.
/// A publish topic has no <c>*</c> or <c>&gt;</c> at all; in a pattern they are whole tokens only, and
/// <c>&gt;</c> only as the last token.
/// </summary>
public static partial class Topics
{
    private static readonly SearchValues<char> _wildcards = SearchValues.Create("*>");
    private static readonly SearchValues<char> _segmentSyntax = SearchValues.Create(".*>");

    /// <summary>True when <paramref name="topic"/> is a valid concrete (publishable) topic.</summary>
    public static bool IsValidTopic([NotNullWhen(true)] string? topic) => topic is not null && DescribeTopicError(topic) is null;

    /// <summary>True when <paramref name="pattern"/> is a valid subscription pattern.</summary>
    public static bool IsValidPattern([NotNullWhen(true)] string? pattern) => pattern is not null && DescribePatternError(pattern) is null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending token when <paramref name="topic"/> is not a valid topic.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is invalid.</exception>
    public static void EnsureValidTopic([NotNull] string? topic, [CallerArgumentExpression(nameof(topic))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(topic, paramName);
        if (DescribeTopicError(topic) is { } error)
        {
            throw new ArgumentException($"Invalid topic \"{Printable(topic)}\": {error}.", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending token when <paramref name="pattern"/> is not a valid pattern.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pattern"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is invalid.</exception>
    public static void EnsureValidPattern([NotNull] string? pattern, [CallerArgumentExpression(nameof(pattern))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(pattern, paramName);
        if (DescribePatternError(pattern) is { } error)
        {
            throw new ArgumentException($"Invalid pattern \"{Printable(pattern)}\": {error}.", paramName);
        }
    }

    /// <summary>Returns why <paramref name="topic"/> is not a valid topic, or null when it is.</summary>
    internal static string? DescribeTopicError(string topic)
    {
        if (DescribeCommonError(topic) is { } error)
        {
            return error;
        }

        var at = topic.AsSpan().IndexOfAny(_wildcards);
        return at < 0
            ? null
            : $"token {TokenNumber(topic, at)} \"{Printable(TokenAt(topic, at))}\" contains the wildcard '{topic[at]}' (wildcards are for subscription patterns only)";
    }

    /// <summary>Returns why <paramref name="pattern"/> is not a valid pattern, or null when it is.</summary>
    internal static string? DescribePatternError(string pattern)
    {
        if (DescribeCommonError(pattern) is { } error)
        {
            return error;
        }

        var span = pattern.AsSpan();
        if (span.IndexOfAny(_wildcards) < 0)
        {
            return null;
        }

        var number = 1;
        var start = 0;
        while (true)
        {
            var dot = span[start..].IndexOf('.');
            var token = dot < 0 ? span[start..] : span.Slice(start, dot);
            if (token.IndexOfAny(_wildcards) >= 0)
            {
                if (token.Length != 1)
                {
                    return $"token {number} \"{Printable(token.ToString())}\" mixes a wildcard with other characters ('*' and '>' must be whole tokens)";
                }

                if (token[0] == '>' && dot >= 0)
                {
                    return $"token {number} '>' is not the last token ('>' matches the remaining tokens, so it must end the pattern)";
                }
            }

            if (dot < 0)
            {
                return null;
            }

            start += dot + 1;
            number++;
        }
    }

    private static string? DescribeCommonError(string value)
    {
        if (value.Length == 0)
        {
            return "it is empty";
        }

        var span = value.AsSpan();
        if (span[0] == '.')
        {
            return "token 1 is empty (leading '.')";
        }

        if (span[^1] == '.')
        {
            return $"token {TokenNumber(value, value.Length - 1) + 1} is empty (trailing '.')";
        }

        var doubled = span.IndexOf("..");
        if (doubled >= 0)
        {
            return $"token {TokenNumber(value, doubled) + 1} is empty (\"..\")";
        }

        // Printable ASCII is one vectorized scan; anything else is checked code point by code point.
        var refused = TopicCharacters.IndexOfRefused(span);
        if (refused < 0)
        {
            return null;
        }

        var codePoint = TopicCharacters.CodePointAt(span, refused);
        return $"token {TokenNumber(value, refused)} \"{Printable(TokenAt(value, refused))}\" contains {TopicCharacters.Describe(codePoint)} (U+{codePoint:X4})";
    }

    private static int TokenNumber(string value, int index) => value.AsSpan(0, index).Count('.') + 1;

    private static string TokenAt(string value, int index)
    {
        var start = value.LastIndexOf('.', Math.Max(0, index - (value[index] == '.' ? 1 : 0))) + 1;
        if (index > 0 && value[index] == '.' && start > index)
        {
            start = index;
        }

        var end = value.IndexOf('.', index);
        return value[start..(end < 0 ? value.Length : end)];
    }

    /// <summary>
    /// Renders a string for an error message with <see cref="UntrustedText.Escape"/>, so a message is always one line
    /// and never carries a control, format or bidi character.
    /// </summary>
    internal static string Printable(string value) => UntrustedText.Escape(value);

    /// <summary>
    /// Refuses a topic or pattern over <paramref name="maxBytes"/> UTF-8 bytes (<c>DECNET_BUS_MAX_TOPIC_BYTES</c>), as
    /// every transport does. A UTF-16 unit is at most 3 UTF-8 bytes, so a short value is not counted.
    /// </summary>
    internal static void EnsureMaxBytes(string what, string value, int maxBytes, string paramName)
    {
        if (value.Length > maxBytes / 3 && Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            throw new ArgumentException($"{what} \"{Printable(value)}\" is longer than DECNET_BUS_MAX_TOPIC_BYTES={maxBytes} UTF-8 bytes.", paramName);
        }
    }

    /// <summary>Refuses a pattern of more than <paramref name="maxTokens"/> tokens (<c>DECNET_BUS_MAX_PATTERN_TOKENS</c>), as the UNIX broker does.</summary>
    internal static void EnsureMaxTokens(string pattern, int maxTokens)
    {
        var tokens = pattern.AsSpan().Count('.') + 1;
        if (tokens > maxTokens)
        {
            throw new BusSubscriptionRejectedException(pattern, BusSubscriptionRejectedException.InvalidPatternCode, $"The pattern \"{Printable(pattern)}\" has {tokens} tokens; DECNET_BUS_MAX_PATTERN_TOKENS allows {maxTokens}.");
        }
    }
}
