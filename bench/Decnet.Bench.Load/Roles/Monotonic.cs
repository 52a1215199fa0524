using System.Diagnostics;

namespace Decnet.Bench.Load.Roles;

/// <summary>CLOCK_MONOTONIC in nanoseconds: the clock Go's runtime reads too, so every role's times compare.</summary>
internal static class Monotonic
{
    private static readonly double _nanosPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now() => Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * _nanosPerTick);
}
