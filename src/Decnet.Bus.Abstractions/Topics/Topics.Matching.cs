using System.Buffers;
using System.Runtime.CompilerServices;

namespace Decnet.Bus;

public static partial class Topics
{
    // Printable ASCII except the wildcards: what a topic may contain on the fast path.
    private static readonly SearchValues<char> _topicAscii =
        SearchValues.Create("!\"#$%&'()+,-./0123456789:;<=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="pattern"/>: literal tokens compare ordinally,
    /// <c>*</c> matches exactly one token, a trailing <c>&gt;</c> matches one or more tokens.
    /// Invalid input (per <see cref="IsValidPattern"/> and <see cref="IsValidTopic"/>) never matches.
    /// </summary>
    /// <remarks>
    /// Allocation-free. Validates while matching: for printable-ASCII input two vectorized character scans and one walk
    /// over both strings; otherwise one scalar pass.
    /// </remarks>
    public static bool Matches(string? pattern, string? topic)
    {
        if (pattern is null || topic is null)
        {
            return false;
        }

        // Common case: printable ASCII, and no wildcard characters in the topic. Two vectorized scans settle the
        // character rules; the walk checks token structure while it matches. Anything else takes the scalar path.
        var patternSpan = pattern.AsSpan();
        var topicSpan = topic.AsSpan();
        return patternSpan.IndexOfAnyExceptInRange('!', '~') < 0 && topicSpan.IndexOfAnyExcept(_topicAscii) < 0
            ? Walk(patternSpan, topicSpan)
            : MatchesValidating(pattern, topic);
    }

    /// <summary>Matches arguments the caller already validated (a transport's stored pattern and a received topic).</summary>
    /// <remarks>Gives the same answer as <see cref="Matches"/> for valid input; for invalid input the answer is unspecified.</remarks>
    internal static bool MatchesValidated(ReadOnlySpan<char> pattern, ReadOnlySpan<char> topic) => Walk(pattern, topic);

    /// <summary>
    /// Walks pattern and topic together, one comparison per character, checking token structure on the way (no empty
    /// tokens, wildcards only as whole tokens, <c>&gt;</c> only last). The caller guarantees the character rules: no
    /// whitespace or control characters anywhere and no wildcard characters in the topic. Answers true only when both
    /// strings were read to the end (or the topic tail under <c>&gt;</c> was checked).
    /// </summary>
    private static bool Walk(ReadOnlySpan<char> pattern, ReadOnlySpan<char> topic)
    {
        var i = 0;
        var j = 0;
        while (true)
        {
            // At the start of a token in both strings.
            if (i == pattern.Length || pattern[i] == '.' || j == topic.Length || topic[j] == '.')
            {
                return false;
            }

            var c = pattern[i];
            if (c is '*' or '>' && (i + 1 == pattern.Length || pattern[i + 1] == '.'))
            {
                if (c == '>')
                {
                    // Last pattern token; the topic tail (non-empty first token already seen) needs no empty token.
                    return i + 1 == pattern.Length && topic[^1] != '.' && !topic[j..].Contains("..", StringComparison.Ordinal);
                }

                i++;
                while (j < topic.Length && topic[j] != '.')
                {
                    j++;
                }
            }
            else
            {
                // Literal token. A pattern token mixing a wildcard with other characters fails here too: the topic
                // never contains a wildcard character to equal it.
                while (i < pattern.Length && pattern[i] != '.')
                {
                    if (j == topic.Length || pattern[i] != topic[j])
                    {
                        return false;
                    }

                    i++;
                    j++;
                }

                if (j < topic.Length && topic[j] != '.')
                {
                    return false;
                }
            }

            var patternDone = i == pattern.Length;
            var topicDone = j == topic.Length;
            if (patternDone || topicDone)
            {
                return patternDone && topicDone;
            }

            i++;
            j++;
        }
    }

    /// <summary>
    /// One scan of each string for refused code points (<see cref="TopicCharacters"/>), then one pass over both, token
    /// by token, classifying each character as it is read. It may answer false before reading everything (a mismatch is
    /// a mismatch whether or not the rest is valid), but it answers true only after every character of both strings has
    /// been checked, so it agrees exactly with validate-then-match.
    /// </summary>
    private static bool MatchesValidating(string pattern, string topic)
    {
        // Code points beyond ASCII are judged once, up front (surrogate pairs need both halves); the walk below then
        // classifies every non-ASCII character as a token character.
        if (TopicCharacters.IndexOfRefused(pattern) >= 0 || TopicCharacters.IndexOfRefused(topic) >= 0)
        {
            return false;
        }

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

    /// <summary>Classifies one character; ASCII through a table, the rest as token characters (the caller refused invisible ones already).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Classify(char c) => c < 128 ? AsciiKinds[c] : CharKind.Token;

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
