using System.Buffers;

namespace Decnet.Bus;

/// <summary>
/// Whether text is lowercase hex only: the one check event ids (<see cref="EventId"/>) and trace context
/// (<see cref="Tracing.TraceContextRules"/>) are made of, as UTF-16 or, still in a receive buffer, as UTF-8.
/// </summary>
internal static class LowerHex
{
    private static readonly SearchValues<char> _chars = SearchValues.Create("0123456789abcdef");
    private static readonly SearchValues<byte> _utf8 = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>True when every character of <paramref name="value"/> is <c>0-9</c> or <c>a-f</c>.</summary>
    public static bool IsAll(ReadOnlySpan<char> value) => !value.ContainsAnyExcept(_chars);

    /// <summary>True when every byte of <paramref name="utf8"/> is <c>0-9</c> or <c>a-f</c>.</summary>
    public static bool IsAll(ReadOnlySpan<byte> utf8) => !utf8.ContainsAnyExcept(_utf8);
}
