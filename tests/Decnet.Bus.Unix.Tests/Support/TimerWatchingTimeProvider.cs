using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says when timers of a given period have been created, so a test can advance
/// the clock exactly after the code under test started waiting on one (no polling, no real sleep).
/// </summary>
internal sealed class TimerWatchingTimeProvider(TimeSpan watchedDueTime) : FakeTimeProvider(DateTimeOffset.UnixEpoch)
{
    private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];
    private int _created;

    /// <summary>Completes once a timer with the watched due time exists.</summary>
    public Task WatchedTimerCreated => WatchedTimersCreated(1);

    /// <summary>Completes once <paramref name="count"/> timers with the watched due time have been created.</summary>
    public Task WatchedTimersCreated(int count)
    {
        lock (_waits)
        {
            if (_created >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((count, reached));
            return reached.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watchedDueTime)
        {
            lock (_waits)
            {
                _created++;
                foreach (var (count, reached) in _waits.Where(w => w.Count <= _created))
                {
                    reached.TrySetResult();
                }

                _waits.RemoveAll(w => w.Count <= _created);
            }
        }

        return timer;
    }
}
