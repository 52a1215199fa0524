using System.IO.Pipelines;
using Decnet.Bus.Unix.Broker.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>
/// The deadline over a text connection's reads (docs/text-protocol.md §3: a frame begun must complete within the idle
/// timeout). A timer callback the runtime has dispatched still runs after the deadline is moved, and a timer may fire a
/// little before its due time by another clock: neither may cut a connection whose deadline has not passed.
/// </summary>
public sealed class ReadDeadlineTests
{
    private static readonly TimeSpan _idle = TimeSpan.FromSeconds(5);

    [Fact]
    public void ACallbackDispatchedBeforeTheDeadlineMoved_IsNoHit_AndTheNextDeadlineStillIs()
    {
        var time = new HeldTimeProvider();
        var pipe = new Pipe();
        using var deadline = new ReadDeadline(time, pipe.Reader, _idle);

        time.Advance(_idle);                      // due: the timer dispatches its callback...
        deadline.Set(Timeout.InfiniteTimeSpan);   // ...as a read completes the frame and lifts the deadline,
        time.RunHeld();                           // and the callback runs after that.

        Assert.False(deadline.TakeHit());

        deadline.Set(_idle);
        time.Advance(_idle);
        time.RunHeld();
        Assert.True(deadline.TakeHit());
        Assert.False(deadline.TakeHit());
    }

    [Fact]
    public void ACallbackBeforeItsDeadlineByTheClock_IsNoHit_AndTheRestIsWaitedFor()
    {
        var early = TimeSpan.FromMilliseconds(1);
        var time = new HeldTimeProvider(early);
        var pipe = new Pipe();
        using var deadline = new ReadDeadline(time, pipe.Reader, _idle);

        time.Advance(_idle - early);
        time.RunHeld();
        Assert.False(deadline.TakeHit());

        time.Advance(early);
        time.RunHeld();
        Assert.True(deadline.TakeHit());
    }

    /// <summary>
    /// Fake time whose timers' callbacks are held when they fire, to run when the test says (as a thread-pool callback
    /// the timer dispatched runs when it gets a thread), and fire <paramref name="early"/> before their due time.
    /// </summary>
    private sealed class HeldTimeProvider(TimeSpan early = default) : FakeTimeProvider(DateTimeOffset.UnixEpoch)
    {
        private readonly Queue<Action> _held = new();

        public void RunHeld()
        {
            Assert.NotEmpty(_held);
            while (_held.TryDequeue(out var callback))
            {
                callback();
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new EarlyTimer(base.CreateTimer(s => _held.Enqueue(() => callback(s)), state, Early(dueTime), period), this);

        private TimeSpan Early(TimeSpan due) => due == Timeout.InfiniteTimeSpan || due <= early ? due : due - early;

        private sealed class EarlyTimer(ITimer timer, HeldTimeProvider time) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(time.Early(dueTime), period);

            public void Dispose() => timer.Dispose();

            public ValueTask DisposeAsync() => timer.DisposeAsync();
        }
    }
}
