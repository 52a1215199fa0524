namespace Decnet.Bus;

public static partial class Topics
{
    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="pattern"/>: literal tokens compare ordinally,
    /// <c>*</c> matches exactly one token, a trailing <c>&gt;</c> matches one or more tokens.
    /// Invalid input (per <see cref="IsValidPattern"/> and <see cref="IsValidTopic"/>) never matches.
    /// </summary>
    /// <remarks>Allocation-free.</remarks>
    public static bool Matches(string? pattern, string? topic)
        => pattern is not null
        && topic is not null
        && DescribePatternError(pattern) is null
        && DescribeTopicError(topic) is null
        && MatchesValidated(pattern, topic);

    /// <summary>Matches without validating; both arguments must already be valid.</summary>
    internal static bool MatchesValidated(ReadOnlySpan<char> pattern, ReadOnlySpan<char> topic)
    {
        while (true)
        {
            var pDot = pattern.IndexOf('.');
            var pToken = pDot < 0 ? pattern : pattern[..pDot];
            if (pToken.Length == 1 && pToken[0] == '>')
            {
                // '>' is always last and needs at least one remaining token; a valid topic tail is never empty here.
                return !topic.IsEmpty;
            }

            var tDot = topic.IndexOf('.');
            var tToken = tDot < 0 ? topic : topic[..tDot];
            if (!(pToken.Length == 1 && pToken[0] == '*') && !pToken.SequenceEqual(tToken))
            {
                return false;
            }

            if (pDot < 0 || tDot < 0)
            {
                // Both must end together.
                return pDot < 0 && tDot < 0;
            }

            pattern = pattern[(pDot + 1)..];
            topic = topic[(tDot + 1)..];
        }
    }
}
