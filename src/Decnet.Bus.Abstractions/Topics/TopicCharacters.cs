using System.Globalization;
using System.Runtime.CompilerServices;

namespace Decnet.Bus;

/// <summary>
/// The character rule of the topic grammar (docs/Service-Bus.md, Topics), shared by the client validator, the matcher
/// and the broker so all three refuse exactly the same code points. A topic character must be visible: refused are
/// whitespace, control characters, format characters (Unicode category Cf: zero-width characters, bidi controls, the
/// BOM), line and paragraph separators, unassigned code points, private-use code points (BMP and planes 15-16),
/// noncharacters (U+FDD0-U+FDEF and U+xxFFFE/U+xxFFFF) and unpaired surrogates. Everything else stays valid: letters,
/// marks, digits, punctuation and symbols, emoji included.
/// </summary>
/// <remarks>
/// "Unassigned" is judged by the runtime's own Unicode tables (Unicode 16.0 in .NET 10), which
/// <c>InvariantGlobalization</c> does not change: a code point assigned in a later Unicode version is refused until
/// the runtime learns it.
/// </remarks>
internal static class TopicCharacters
{
    /// <summary>
    /// Index of the first refused character in <paramref name="text"/> (for a refused surrogate pair, its high half),
    /// or -1. Printable ASCII is skipped with one vectorized scan, so an ASCII topic costs what it did before.
    /// </summary>
    public static int IndexOfRefused(ReadOnlySpan<char> text)
    {
        var odd = text.IndexOfAnyExceptInRange('!', '~');
        if (odd < 0)
        {
            return -1;
        }

        for (var i = odd; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '!' and <= '~')
            {
                continue;
            }

            if (c < 0x80)
            {
                // Space, C0 controls, DEL.
                return i;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (!IsVisible(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return i;
                }

                i++;
                continue;
            }

            // A lone surrogate reports the category Surrogate, which is refused.
            if (!IsVisible(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The code point starting at <paramref name="index"/>: a surrogate pair as one, a lone surrogate as itself.</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index)
        => char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            ? char.ConvertToUtf32(text[index], text[index + 1])
            : text[index];

    /// <summary>Why a topic may not contain <paramref name="codePoint"/> ("whitespace", "a format character", ...), or null when it may.</summary>
    public static string? Describe(int codePoint)
    {
        if (codePoint is >= 0xD800 and <= 0xDFFF)
        {
            return "an unpaired surrogate";
        }

        if (IsNoncharacter(codePoint))
        {
            return "a noncharacter";
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.SpaceSeparator => "whitespace",
            UnicodeCategory.Control when codePoint is (>= 0x09 and <= 0x0D) or 0x85 => "whitespace",
            UnicodeCategory.Control => "a control character",
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => "a line or paragraph separator",
            UnicodeCategory.Format => "an invisible format character",
            UnicodeCategory.OtherNotAssigned => "an unassigned code point",
            UnicodeCategory.PrivateUse => "a private-use code point",
            _ => null,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsVisible(int codePoint)
        => !IsNoncharacter(codePoint) && CharUnicodeInfo.GetUnicodeCategory(codePoint) is not (UnicodeCategory.Control
            or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate);

    // Permanently reserved for internal use (Unicode chapter 23.7); listed here rather than trusted to the tables.
    private static bool IsNoncharacter(int codePoint) => codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;
}
