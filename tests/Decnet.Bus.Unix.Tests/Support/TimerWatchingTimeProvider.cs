using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says when timers of a given period have been created, so a test can advance
/// the clock exactly after the code under test started waiting on one (no polling, no real sleep).
/// </summary>
internal sealed class TimerWatchingTimeProvider(TimeSpan watchedDueTime) : FakeTimeProvider(DateTimeOffset.UnixEpoch)
{
    private readonly CountBarrier _created = new();

    /// <summary>Completes once a timer with the watched due time exists.</summary>
    public Task WatchedTimerCreated => WatchedTimersCreated(1);

    /// <summary>Completes once <paramref name="count"/> timers with the watched due time have been created.</summary>
    public Task WatchedTimersCreated(int count) => _created.WaitForAsync(count);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watchedDueTime)
        {
            _created.Increment();
        }

        return timer;
    }
}
