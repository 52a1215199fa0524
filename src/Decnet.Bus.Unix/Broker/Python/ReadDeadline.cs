using System.IO.Pipelines;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One deadline over a receive loop's reads: when it passes, the pending read returns cancelled (the reader stays
/// usable) and <see cref="TakeHit"/> says it was the deadline, not data, that woke the loop.
/// </summary>
internal sealed class ReadDeadline : IDisposable
{
    private readonly ITimer _timer;
    private int _hit;

    public ReadDeadline(TimeProvider time, PipeReader reader, TimeSpan due)
        => _timer = time.CreateTimer(
            static state =>
            {
                var (deadline, reader) = ((ReadDeadline, PipeReader))state!;
                Volatile.Write(ref deadline._hit, 1);
                reader.CancelPendingRead();
            },
            (this, reader),
            due,
            Timeout.InfiniteTimeSpan);

    /// <summary>Re-arms the deadline <paramref name="due"/> from now (infinite: none) and forgets an earlier hit.</summary>
    public void Set(TimeSpan due)
    {
        Volatile.Write(ref _hit, 0);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once per passed deadline.</summary>
    public bool TakeHit() => Interlocked.Exchange(ref _hit, 0) == 1;

    public void Dispose() => _timer.Dispose();
}
