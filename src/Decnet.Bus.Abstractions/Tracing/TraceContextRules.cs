namespace Decnet.Bus.Tracing;

/// <summary>
/// What W3C Trace Context requires of the two headers, checked character by character: the same rule for a trace
/// context read from the wire (<see cref="Codec.BusCodec.ValidTrace"/>) and one captured from the application's
/// activity (<see cref="BusActivities"/>), so every transport delivers the same thing.
/// </summary>
internal static class TraceContextRules
{
    /// <summary>
    /// The longest <c>tracestate</c> kept; W3C Trace Context allows 32 list members of at most 256 characters, and
    /// propagators cut at 512.
    /// </summary>
    public const int MaxTraceStateLength = 512;

    /// <summary>Length of a version-00 traceparent: <c>vv-{32 hex}-{16 hex}-ff</c>.</summary>
    public const int TraceParentLength = 55;

    /// <summary>
    /// True when <paramref name="parent"/> is <c>version-traceid-parentid-flags</c> in lowercase hex, with the three
    /// '-' separators, a version other than <c>ff</c>, and a trace id and parent id that are not all zeros.
    /// <see cref="System.Diagnostics.ActivityContext.TryParse(string, string?, out System.Diagnostics.ActivityContext)"/>
    /// skips the separators, so an ESC, LF or CR in their place passed it.
    /// </summary>
    public static bool IsValidParent(string? parent)
    {
        if (parent is not { Length: TraceParentLength } || parent[2] != '-' || parent[35] != '-' || parent[52] != '-')
        {
            return false;
        }

        var span = parent.AsSpan();
        return LowerHex.IsAll(span[..2]) && !span[..2].SequenceEqual("ff")
            && IsLowerHexNotAllZeros(span.Slice(3, 32))
            && IsLowerHexNotAllZeros(span.Slice(36, 16))
            && LowerHex.IsAll(span.Slice(53, 2));
    }

    /// <summary>
    /// True when <paramref name="state"/> is kept: printable ASCII of 1 to <see cref="MaxTraceStateLength"/>
    /// characters, as W3C Trace Context allows.
    /// </summary>
    public static bool IsValidState(string? state)
        => state is { Length: > 0 and <= MaxTraceStateLength } && !state.AsSpan().ContainsAnyExceptInRange(' ', '~');

    private static bool IsLowerHexNotAllZeros(ReadOnlySpan<char> value)
        => LowerHex.IsAll(value) && value.ContainsAnyExcept('0');
}
