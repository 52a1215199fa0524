using System.Text;

namespace Decnet.Bus.Conformance;

/// <summary>
/// Code points a topic or pattern must not contain (docs/Service-Bus.md, Topics; issue 12 item 4), one row per class,
/// and visible text every topic may keep. Code points are ints so a lone surrogate survives xunit's theory data.
/// </summary>
public static class TopicSamples
{
    /// <summary>Rows of (class, code point) that make a topic invalid.</summary>
    public static TheoryData<string, int> Invisible => new()
    {
        { "format: zero-width space", 0x200B },
        { "format: zero-width non-joiner", 0x200C },
        { "format: zero-width joiner", 0x200D },
        { "format: word joiner", 0x2060 },
        { "format: soft hyphen", 0x00AD },
        { "format: right-to-left override", 0x202E },
        { "format: left-to-right embedding", 0x202A },
        { "format: first strong isolate", 0x2068 },
        { "format: arabic letter mark", 0x061C },
        { "format: byte order mark", 0xFEFF },
        { "format: language tag (astral)", 0xE0001 },
        { "line separator", 0x2028 },
        { "paragraph separator", 0x2029 },
        { "unassigned (BMP)", 0x0378 },
        { "unassigned (astral, after Unicode 16)", 0x1FAEA },
        { "unassigned (plane 5)", 0x50000 },
        { "private use (BMP first)", 0xE000 },
        { "private use (BMP last)", 0xF8FF },
        { "private use (plane 15)", 0xF0000 },
        { "private use (plane 16)", 0x10FFFD },
        { "noncharacter U+FDD0", 0xFDD0 },
        { "noncharacter U+FDEF", 0xFDEF },
        { "noncharacter U+FFFE", 0xFFFE },
        { "noncharacter U+FFFF", 0xFFFF },
        { "noncharacter U+1FFFE", 0x1FFFE },
        { "noncharacter U+10FFFF", 0x10FFFF },
        { "unpaired high surrogate", 0xD800 },
        { "unpaired low surrogate", 0xDFFF },
    };

    /// <summary>Visible, non-ASCII-only-where-needed tokens that stay valid in a topic.</summary>
    public static TheoryData<string> Visible => new()
    {
        "!\"#$%&'()+,-/:;<=?@[\\]^_`{|}~",
        "\u00fc\u00e9",
        "\u65e5\u672c",
        "\u0639\u0631\u0628\u064a",
        "e\u0301",
        "\u0915\u094d\u0937",
        "\ud83d\ude80",
        "\u2764\ufe0f",
        "\ud83d\udc4d\ud83c\udffd",
        "\ud83c\uddeb\ud83c\uddf7",
        "1\ufe0f\u20e3",
        "\u20ac\u2122\u2192",
        "\ud835\udd38",
        "\ud840\udc00",
        "\u1c89",
    };

    /// <summary>The code point as a string; a surrogate code point becomes a lone UTF-16 surrogate.</summary>
    public static string Text(int codePoint) => codePoint is >= 0xD800 and <= 0xDFFF ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint);

    /// <summary>
    /// The code point in (generalized) UTF-8: a surrogate code point gets the three-byte form UTF-8 forbids, which is
    /// what a hostile peer sends to smuggle one onto the wire.
    /// </summary>
    public static byte[] Utf8(int codePoint) => codePoint is >= 0xD800 and <= 0xDFFF
        ? [(byte)(0xE0 | (codePoint >> 12)), (byte)(0x80 | ((codePoint >> 6) & 0x3F)), (byte)(0x80 | (codePoint & 0x3F))]
        : Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint));

    /// <summary>How an error message names the code point: U+ and at least four upper-case hex digits.</summary>
    public static string Name(int codePoint) => $"U+{codePoint:X4}";
}
