using System.Runtime.CompilerServices;

namespace Decnet.Bus;

public static partial class Topics
{
    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="pattern"/>: literal tokens compare ordinally,
    /// <c>*</c> matches exactly one token, a trailing <c>&gt;</c> matches one or more tokens.
    /// Invalid input (per <see cref="IsValidPattern"/> and <see cref="IsValidTopic"/>) never matches.
    /// </summary>
    /// <remarks>Allocation-free; validates and matches in one pass over both strings.</remarks>
    public static bool Matches(string? pattern, string? topic)
    {
        if (pattern is null || topic is null)
        {
            return false;
        }

        var patternSpan = pattern.AsSpan();
        var topicSpan = topic.AsSpan();

        // Common case: both printable ASCII. A few vectorized scans settle the character rules for the whole
        // strings, leaving only token structure to check while matching. Anything else takes the scalar path.
        if (patternSpan.IndexOfAnyExceptInRange('!', '~') >= 0 || topicSpan.IndexOfAnyExceptInRange('!', '~') >= 0)
        {
            return MatchesValidating(pattern, topic);
        }

        return topicSpan.IndexOfAny(_wildcards) < 0
            && MatchesPrintableAscii(patternSpan, topicSpan, patternHasWildcards: patternSpan.IndexOfAny(_wildcards) >= 0);
    }

    /// <summary>Matches arguments the caller already validated (a transport's stored pattern and a received topic).</summary>
    /// <remarks>Gives the same answer as <see cref="Matches"/> for valid input; for invalid input the answer is unspecified.</remarks>
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

    /// <summary>
    /// Matches printable-ASCII input whose topic has no wildcard characters, checking token structure on the way:
    /// no empty tokens, wildcards only as whole tokens, <c>&gt;</c> only last. Answers true only when both strings
    /// were fully checked.
    /// </summary>
    private static bool MatchesPrintableAscii(ReadOnlySpan<char> pattern, ReadOnlySpan<char> topic, bool patternHasWildcards)
    {
        while (true)
        {
            var pDot = pattern.IndexOf('.');
            var pToken = pDot < 0 ? pattern : pattern[..pDot];
            var tDot = topic.IndexOf('.');
            var tToken = tDot < 0 ? topic : topic[..tDot];
            if (pToken.IsEmpty || tToken.IsEmpty)
            {
                return false;
            }

            if (patternHasWildcards && pToken.Length == 1 && pToken[0] is '*' or '>')
            {
                if (pToken[0] == '>')
                {
                    // Last pattern token; the topic tail (from tToken on) must be one or more non-empty tokens.
                    return pDot < 0 && topic[^1] != '.' && !topic.Contains("..", StringComparison.Ordinal);
                }
            }
            else if (!pToken.SequenceEqual(tToken))
            {
                // Also rejects a token mixing a wildcard with other characters: the topic has no wildcard to equal it.
                return false;
            }

            if (pDot < 0 || tDot < 0)
            {
                return pDot < 0 && tDot < 0;
            }

            pattern = pattern[(pDot + 1)..];
            topic = topic[(tDot + 1)..];
        }
    }

    /// <summary>
    /// One pass over both strings, token by token, classifying each character once as it is read. It may answer false
    /// before reading everything (a mismatch is a mismatch whether or not the rest is valid), but it answers true only
    /// after every character of both strings has been checked, so it agrees exactly with validate-then-match.
    /// </summary>
    private static bool MatchesValidating(string pattern, string topic)
    {
        var p = 0;
        var t = 0;
        while (true)
        {
            // Pattern token [p, pEnd).
            var pEnd = p;
            var wildcards = 0;
            while (pEnd < pattern.Length)
            {
                var kind = Classify(pattern[pEnd]);
                if (kind == CharKind.Dot)
                {
                    break;
                }

                if (kind == CharKind.Invalid)
                {
                    return false;
                }

                if (kind == CharKind.Wildcard)
                {
                    wildcards++;
                }

                pEnd++;
            }

            var pLength = pEnd - p;
            if (pLength == 0)
            {
                return false;
            }

            var isStar = false;
            if (wildcards != 0)
            {
                if (pLength != 1)
                {
                    return false;
                }

                if (pattern[p] == '>')
                {
                    // Must end the pattern, and needs one or more valid topic tokens.
                    return pEnd == pattern.Length && t < topic.Length && IsValidTopicTail(topic, t);
                }

                isStar = true;
            }

            // Topic token [t, tEnd), compared with a literal pattern token while it is read.
            var tEnd = t;
            while (tEnd < topic.Length)
            {
                var c = topic[tEnd];
                var kind = Classify(c);
                if (kind != CharKind.Token)
                {
                    if (kind == CharKind.Dot)
                    {
                        break;
                    }

                    return false;
                }

                var i = tEnd - t;
                if (!isStar && (i >= pLength || pattern[p + i] != c))
                {
                    return false;
                }

                tEnd++;
            }

            var tLength = tEnd - t;
            if (tLength == 0 || (!isStar && tLength != pLength))
            {
                return false;
            }

            var patternDone = pEnd == pattern.Length;
            var topicDone = tEnd == topic.Length;
            if (patternDone || topicDone)
            {
                return patternDone && topicDone;
            }

            p = pEnd + 1;
            t = tEnd + 1;
        }
    }

    /// <summary>True when <c>topic[start..]</c> is one or more valid topic tokens.</summary>
    private static bool IsValidTopicTail(string topic, int start)
    {
        var tokenLength = 0;
        for (var i = start; i < topic.Length; i++)
        {
            var kind = Classify(topic[i]);
            if (kind == CharKind.Token)
            {
                tokenLength++;
            }
            else if (kind == CharKind.Dot && tokenLength != 0)
            {
                tokenLength = 0;
            }
            else
            {
                return false;
            }
        }

        return tokenLength != 0;
    }

    /// <summary>Classifies one character; ASCII through a table, the rest as the grammar says (no whitespace, no control).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Classify(char c)
        => c < 128 ? AsciiKinds[c] : char.IsWhiteSpace(c) || char.IsControl(c) ? CharKind.Invalid : CharKind.Token;

    // CharKind per ASCII code: control and space invalid, '.' separator, '*' and '>' wildcards, the rest token chars.
    private static ReadOnlySpan<byte> AsciiKinds =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 2, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    ];

    private static class CharKind
    {
        public const int Invalid = 0;
        public const int Token = 1;
        public const int Dot = 2;
        public const int Wildcard = 3;
    }
}
