namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// A topic or pattern from a Python client must satisfy both grammars: this bus's (<see cref="Topics"/>, docs/wire-protocol.md
/// §7.1) and the Python bus's (dot-separated tokens, none empty, none holding whitespace, <c>*</c> or <c>&gt;</c> except
/// as a whole wildcard token). Returns why not, naming the grammar, or null.
/// </summary>
internal static class PythonTopicRules
{
    /// <summary>Why <paramref name="topic"/> is no valid PUB topic, or null.</summary>
    public static string? DescribeTopicError(string topic, BrokerLimits limits)
    {
        if (topic.Length > limits.MaxTopicBytes)
        {
            return $"topic of {topic.Length} bytes; the limit is {limits.MaxTopicBytes}";
        }

        if (DescribePythonError(topic, wildcards: false) is { } python)
        {
            return $"invalid topic \"{UntrustedText.Excerpt(topic)}\" in the Python bus's grammar: {python}";
        }

        return Topics.DescribeTopicError(topic) is { } error
            ? $"invalid topic \"{UntrustedText.Excerpt(topic)}\": {error}"
            : null;
    }

    /// <summary>Why <paramref name="pattern"/> is no valid SUB pattern, or null.</summary>
    public static string? DescribePatternError(string pattern, BrokerLimits limits)
    {
        if (pattern.Length > limits.MaxTopicBytes)
        {
            return $"pattern of {pattern.Length} bytes; the limit is {limits.MaxTopicBytes}";
        }

        if (DescribePythonError(pattern, wildcards: true) is { } python)
        {
            return $"invalid pattern \"{UntrustedText.Excerpt(pattern)}\" in the Python bus's grammar: {python}";
        }

        if (Topics.DescribePatternError(pattern) is { } error)
        {
            // The one pattern the Python matcher takes and this bus refuses: '>' before the last token (Python reads
            // "a.>.b" as "a.>"). Said outright, so a Python worker's author sees why a pattern that "worked" is refused.
            var note = pattern.Contains(">.", StringComparison.Ordinal) ? " (the Python bus ignores what follows '>'; this bus refuses it)" : string.Empty;
            return $"invalid pattern \"{UntrustedText.Excerpt(pattern)}\": {error}{note}";
        }

        return pattern.AsSpan().Count('.') + 1 > limits.MaxPatternTokens
            ? $"more than {limits.MaxPatternTokens} tokens in the pattern"
            : null;
    }

    /// <summary>The Python bus's token rule (its topic builders refuse such tokens).</summary>
    private static string? DescribePythonError(string value, bool wildcards)
    {
        var number = 0;
        foreach (var token in value.Split('.'))
        {
            number++;
            if (token.Length == 0)
            {
                return $"token {number} is empty";
            }

            if (wildcards && token is "*" or ">")
            {
                continue;
            }

            if (token.AsSpan().IndexOfAny("*>") >= 0)
            {
                return $"token {number} \"{UntrustedText.Excerpt(token)}\" contains '*' or '>'";
            }

            foreach (var c in token)
            {
                if (char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f')
                {
                    return $"token {number} \"{UntrustedText.Excerpt(token)}\" contains whitespace";
                }
            }
        }

        return null;
    }
}
