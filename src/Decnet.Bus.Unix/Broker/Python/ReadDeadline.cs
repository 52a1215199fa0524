using System.IO.Pipelines;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One deadline over a receive loop's reads: when it passes, the pending read returns cancelled (the reader stays
/// usable) and <see cref="TakeHit"/> says it was the deadline, not data, that woke the loop. Used by the loop alone.
/// </summary>
/// <remarks>
/// A timer callback the runtime has dispatched still runs after <see cref="Set"/> moves the deadline, and a timer may
/// fire slightly before its due time by <see cref="TimeProvider.GetTimestamp"/> (it counts whole milliseconds). So, as
/// the MessagePack idle cut stands only if no frame came since it was decided, a hit here stands only if the loop's
/// current deadline has passed by the loop's own clock; a callback for an earlier one counts for nothing.
/// </remarks>
internal sealed class ReadDeadline : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    // The timestamp the current deadline passes at (long.MaxValue: none); the loop's alone.
    private long _dueAt;
    private int _hit;

    public ReadDeadline(TimeProvider time, PipeReader reader, TimeSpan due)
    {
        _time = time;
        _dueAt = DueAt(due);
        _timer = time.CreateTimer(
            static state =>
            {
                var (deadline, reader) = ((ReadDeadline, PipeReader))state!;
                Volatile.Write(ref deadline._hit, 1);
                reader.CancelPendingRead();
            },
            (this, reader),
            due,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Re-arms the deadline <paramref name="due"/> from now (infinite: none) and forgets an earlier hit.</summary>
    public void Set(TimeSpan due)
    {
        Volatile.Write(ref _hit, 0);
        _dueAt = DueAt(due);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once per passed deadline; a wake-up before it re-arms the timer for the rest.</summary>
    public bool TakeHit()
    {
        if (Interlocked.Exchange(ref _hit, 0) == 0 || _dueAt == long.MaxValue)
        {
            return false;
        }

        var left = _time.GetElapsedTime(_time.GetTimestamp(), _dueAt);
        if (left <= TimeSpan.Zero)
        {
            return true;
        }

        _timer.Change(left, Timeout.InfiniteTimeSpan);
        return false;
    }

    public void Dispose() => _timer.Dispose();

    private long DueAt(TimeSpan due)
    {
        if (due == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        // Whole seconds and the rest apart, so neither overflows nor rounds (a fake clock's timer fires at the tick).
        var frequency = _time.TimestampFrequency;
        var seconds = Math.DivRem(due.Ticks, TimeSpan.TicksPerSecond, out var ticks);
        return _time.GetTimestamp() + (seconds * frequency) + (ticks * frequency / TimeSpan.TicksPerSecond);
    }
}
