namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Finds control characters (C0, DEL, C1) in UTF-8 bytes without decoding them: the broker's per-publish check of the
/// envelope type (docs/wire-protocol.md §6, ERR 1). A type of printable ASCII costs one vectorized scan.
/// </summary>
internal static class Utf8Controls
{
    /// <summary>The first control character's code point in <paramref name="utf8"/>, or -1 when there is none.</summary>
    /// <remarks>
    /// C0 and DEL are single bytes; a C1 character U+0080-U+009F is always <c>C2 80</c>-<c>C2 9F</c>. A lead byte
    /// 0xC2 is never a continuation byte, so the pair cannot be the tail of another character, and an invalid sequence
    /// around it decodes (with replacement) to U+FFFD and the same C1 character: the check agrees with any decoder.
    /// </remarks>
    public static int FirstControl(ReadOnlySpan<byte> utf8)
    {
        var odd = utf8.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (odd < 0)
        {
            return -1;
        }

        for (var i = odd; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b < 0x20 || b == 0x7F)
            {
                return b;
            }

            if (b == 0xC2 && i + 1 < utf8.Length && utf8[i + 1] is >= 0x80 and <= 0x9F)
            {
                return utf8[i + 1];
            }
        }

        return -1;
    }
}
