using Decnet.Bus.Nats.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Nats.Tests;

/// <summary>The stall bookkeeping behind NATS publishes (docs/cross-host.md), on a fake clock.</summary>
public sealed class PublishStallTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ATimeout_StartsAStall_ThatOutlastsItsBound_OnlyOnceTheBoundHasPassed_AndSaysSoOnce()
    {
        var stall = new PublishStall(TimeSpan.FromSeconds(2), _time);
        Assert.False(stall.OnTimeout(out var began));
        Assert.False(began);
        Assert.True(stall.Active);

        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(stall.OnTimeout(out _));
        Assert.False(stall.Outlasted);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(stall.OnTimeout(out began));
        Assert.True(began);
        Assert.True(stall.Outlasted);
        Assert.True(stall.OnTimeout(out began));
        Assert.False(began);
    }

    [Fact]
    public void Clear_EndsTheStall_AndReportsItsEndOnlyWhenItHadOutlastedItsBound()
    {
        var stall = new PublishStall(TimeSpan.FromSeconds(2), _time);
        Assert.False(stall.Clear());

        stall.OnTimeout(out _);
        Assert.False(stall.Clear());
        Assert.False(stall.Active);

        stall.OnTimeout(out _);
        _time.Advance(TimeSpan.FromSeconds(3));
        stall.OnTimeout(out _);
        Assert.True(stall.Clear());
        Assert.False(stall.Active);
        Assert.False(stall.Outlasted);

        // A new stall is timed from its own first timeout, not the old one's.
        Assert.False(stall.OnTimeout(out _));
    }

    [Fact]
    public void ATimeoutReportedAfterTheStallEnded_StartsANewStall_NotAnOutlastedOne()
    {
        var stall = new PublishStall(TimeSpan.FromSeconds(2), _time);
        stall.OnTimeout(out _);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(stall.OnTimeout(out _));
        Assert.True(stall.Clear());

        // A publish that timed out before the probe's PONG ended the stall reports it late.
        Assert.False(stall.OnTimeout(out var began));
        Assert.False(began);
        Assert.True(stall.Active);
        Assert.False(stall.Outlasted);
        Assert.False(stall.Clear());
        Assert.False(stall.Active);
    }

    [Fact]
    public void AZeroBound_NeverOutlasts()
    {
        var stall = new PublishStall(TimeSpan.Zero, _time);
        stall.OnTimeout(out _);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.False(stall.OnTimeout(out var began));
        Assert.False(began);
        Assert.False(stall.Outlasted);
    }
}
