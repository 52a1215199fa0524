using Decnet.Bus.Unix.Client.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

public sealed class PublishClockTests
{
    [Fact]
    public void EveryTimestamp_IsTheWallClocksMillisecond_AcrossRecalibrations()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123).AddTicks(7_777));
        var clock = new PublishClock(time);

        // 0.37 ms steps for 1.5 s: crosses millisecond boundaries at every phase and 15 recalibrations.
        for (var i = 0; i < 4_000; i++)
        {
            var expected = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            Assert.Equal(expected, clock.UnixSeconds(time.GetTimestamp()));
            time.Advance(TimeSpan.FromTicks(3_700));
        }
    }

    [Fact]
    public void AWallClockStep_ReachesTimestampsAtTheNextRecalibration_NotBefore()
    {
        var time = new SteppableClock();
        var clock = new PublishClock(time);
        var start = clock.UnixSeconds(time.GetTimestamp());

        time.StepWallClock(TimeSpan.FromHours(1));
        time.AdvanceMonotonic(PublishClock.Recalibration / 2);
        Assert.Equal(start + 0.05, clock.UnixSeconds(time.GetTimestamp()), precision: 3);

        time.AdvanceMonotonic(PublishClock.Recalibration / 2);
        Assert.Equal(start + 3600.1, clock.UnixSeconds(time.GetTimestamp()), precision: 3);
    }

    [Fact]
    public void ATimestampReadBeforeANewerAnchor_IsPlacedBehindIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000));
        var clock = new PublishClock(time);
        var early = time.GetTimestamp();
        time.Advance(PublishClock.Recalibration);
        _ = clock.UnixSeconds(time.GetTimestamp()); // another thread anchors at the later time

        Assert.Equal(1_764_000_000.0, clock.UnixSeconds(early));
    }

    /// <summary>A wall clock that can jump while the monotonic clock goes on (what an NTP step or <c>date -s</c> does).</summary>
    private sealed class SteppableClock : TimeProvider
    {
        private DateTimeOffset _wall = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000);
        private long _monotonic = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _wall;

        public override long GetTimestamp() => _monotonic;

        public void StepWallClock(TimeSpan step) => _wall += step;

        public void AdvanceMonotonic(TimeSpan by)
        {
            _monotonic += by.Ticks;
            _wall += by;
        }
    }
}
