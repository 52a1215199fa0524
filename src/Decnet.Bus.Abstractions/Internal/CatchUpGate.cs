namespace Decnet.Bus.Internal;

/// <summary>
/// The state of one consumer for catch-up waits (docs/Service-Bus.md, "Catch-up waits"): the loop that fills its queue
/// may wait, for a bounded time, for the consumer to work its backlog down instead of dropping its oldest events. A
/// consumer that does not catch up within that time is excused: it is not waited for again until it has caught up or
/// has read a whole queue's worth of events since, so a consumer that stopped reading costs the filler one bounded
/// wait, not one per read, while one that was only briefly held up (a pause, start-up compilation) is waited for
/// again as soon as it is reading. Not thread-safe: the owner calls every member under its own lock.
/// </summary>
internal sealed class CatchUpGate
{
    private TaskCompletionSource? _caughtUp;
    private bool _excused;
    private long _readWhileExcused;

    /// <summary>True while excused: the last wait for this consumer ran out and it has not caught up since.</summary>
    public bool IsExcused => _excused;

    /// <summary>Whether a filler that just queued events should wait: the backlog is above its high mark and not excused.</summary>
    public bool ShouldWait(bool aboveHighMark) => aboveHighMark && !_excused;

    /// <summary>The task a waiting filler awaits; it completes when <see cref="CaughtUp"/> or <see cref="Release"/> is called.</summary>
    public Task WaitTask() => (_caughtUp ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// The backlog is at or below its low mark: the excuse ends and a waiting filler goes on. Returns what the owner
    /// completes once it has released its lock (null when nobody waits).
    /// </summary>
    public TaskCompletionSource? CaughtUp()
    {
        _excused = false;
        return Release();
    }

    /// <summary>
    /// The consumer took <paramref name="count"/> events (zero: its queue was emptied or shed). At the low mark it has
    /// caught up (<see cref="CaughtUp"/>); otherwise the events count towards ending an excuse, which ends once an
    /// excused consumer has read <paramref name="queueSize"/> events since. Returns what the owner completes once it
    /// has released its lock.
    /// </summary>
    public TaskCompletionSource? Took(int count, bool atLowMark, int queueSize)
    {
        if (atLowMark)
        {
            return CaughtUp();
        }

        if (_excused && (_readWhileExcused += count) >= queueSize)
        {
            _excused = false;
        }

        return null;
    }

    /// <summary>A wait ran out while the backlog was still above its low mark: stop waiting for this consumer.</summary>
    public TaskCompletionSource? Excuse()
    {
        _excused = true;
        _readWhileExcused = 0;
        return Release();
    }

    /// <summary>Lets a waiting filler go on (the queue was closed or emptied); the owner completes the result after its lock.</summary>
    public TaskCompletionSource? Release()
    {
        var waiting = _caughtUp;
        _caughtUp = null;
        return waiting;
    }
}
