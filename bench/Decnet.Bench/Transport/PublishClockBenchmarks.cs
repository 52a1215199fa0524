using BenchmarkDotNet.Attributes;
using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bench.Transport;

/// <summary>
/// The clock reads of one publish: before, the wall clock for the event's timestamp and the monotonic clock for the
/// quiet-gap test; now, the monotonic clock alone, with the timestamp from <see cref="PublishClock"/>.
/// </summary>
public class PublishClockBenchmarks
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly PublishClock _clock = new(TimeProvider.System);

    [Benchmark(Baseline = true)]
    public double WallAndMonotonic()
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        return timestamp + _time.GetTimestamp();
    }

    [Benchmark]
    public double MonotonicAndPublishClock()
    {
        var now = _time.GetTimestamp();
        return _clock.UnixSeconds(now) + now;
    }
}
