using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says when a timer of a given period has been created, so a test can advance
/// the clock exactly after the code under test started waiting on it (no polling, no real sleep).
/// </summary>
internal sealed class TimerWatchingTimeProvider(TimeSpan watchedDueTime) : FakeTimeProvider(DateTimeOffset.UnixEpoch)
{
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a timer with the watched due time exists.</summary>
    public Task WatchedTimerCreated => _created.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watchedDueTime)
        {
            _created.TrySetResult();
        }

        return timer;
    }
}
