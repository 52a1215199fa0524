namespace Decnet.Bus.Internal;

/// <summary>
/// Durations in a <see cref="TimeProvider"/>'s timestamp units, worked out once so that hot paths compare differences
/// of <see cref="TimeProvider.GetTimestamp"/> readings without building a <see cref="TimeSpan"/> per check.
/// </summary>
internal static class TimestampSpan
{
    /// <summary><paramref name="span"/> in <paramref name="time"/>'s timestamp units.</summary>
    public static long Of(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
