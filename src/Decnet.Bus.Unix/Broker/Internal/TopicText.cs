using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>Topic grammar checks on spans (same grammar as <see cref="Topics"/>), so the broker validates without allocating.</summary>
internal static class TopicText
{
    internal static readonly SearchValues<char> Wildcards = SearchValues.Create("*>");

    /// <summary>Decodes UTF-8 topic bytes into <paramref name="destination"/>; returns the char count or -1 for invalid UTF-8.</summary>
    public static int Decode(ReadOnlySequence<byte> utf8, Span<char> destination)
    {
        if (utf8.IsSingleSegment)
        {
            var status = Utf8.ToUtf16(utf8.FirstSpan, destination, out _, out var written, replaceInvalidSequences: false);
            return status == OperationStatus.Done ? written : -1;
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)utf8.Length);
        try
        {
            utf8.CopyTo(rented);
            var status = Utf8.ToUtf16(rented.AsSpan(0, (int)utf8.Length), destination, out _, out var written, replaceInvalidSequences: false);
            return status == OperationStatus.Done ? written : -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// True when <paramref name="topic"/> is a valid publish topic: no wildcards, no empty tokens, and only the
    /// characters <see cref="TopicCharacters"/> allows (no whitespace, control, format, separator, unassigned,
    /// private-use or noncharacter code points). Printable ASCII takes vectorized scans only.
    /// </summary>
    public static bool IsValidTopic(ReadOnlySpan<char> topic)
    {
        if (topic.IsEmpty || topic[0] == '.' || topic[^1] == '.' || topic.Contains("..", StringComparison.Ordinal) || topic.ContainsAny(Wildcards))
        {
            return false;
        }

        // The per-publish fast path, inline as before: printable ASCII needs nothing more.
        var odd = topic.IndexOfAnyExceptInRange('!', '~');
        return odd < 0 || TopicCharacters.IndexOfRefused(topic[odd..]) < 0;
    }

    /// <summary>Decodes a pattern (rare: once per SUB) to a string, or null for invalid UTF-8.</summary>
    public static string? DecodePattern(ReadOnlySequence<byte> utf8)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
