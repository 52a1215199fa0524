using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// <see cref="CatchUpWait.Wait"/>, the blocking form a client's receive thread uses: the same decisions as
/// <see cref="CatchUpWait.WaitAsync"/>, taken on the calling thread, which it blocks, on the system clock (a timed wait
/// on the consumer's task) and on any other (its timers).
/// </summary>
public sealed partial class CatchUpTests
{
    private static readonly TimeSpan _failBound = TimeSpan.FromSeconds(30);

    // Longer than any bound options allow (CatchUpWait.Clamp), which the blocking wait does not apply itself.
    private static readonly TimeSpan _longBound = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Blocking_OnTheSystemClock_AConsumerThatCatchesUp_WakesTheWait_BeforeItsBound()
    {
        // A bound far past the test's own failure bound, and a consumer that takes nothing: only its catching up can
        // end the wait in time, and a wait that ran out would excuse it.
        var consumer = new Consumer();
        var waiting = WaitOnThread([consumer], _longBound, TimeProvider.System, CancellationToken.None);

        await consumer.Asked.Task.WaitAsync(_failBound);
        consumer.CaughtUp.SetResult();
        await waiting.WaitAsync(_failBound);
        Assert.Equal(0, consumer.Excused);
    }

    [Fact]
    public async Task Blocking_OnTheSystemClock_AConsumerThatTakesNothing_IsExcused_WhenTheBoundRunsOut()
    {
        var consumer = new Consumer();
        List<ICatchUpTarget> behind = [consumer];
        await WaitOnThread(behind, _bound, TimeProvider.System, CancellationToken.None).WaitAsync(_failBound);

        Assert.Equal(1, consumer.Excused);
        Assert.Empty(behind);
    }

    [Fact]
    public async Task Blocking_OnTheSystemClock_Cancellation_EndsTheWait_AndClearsTheList()
    {
        var consumer = new Consumer();
        List<ICatchUpTarget> behind = [consumer];
        using var cancellation = new CancellationTokenSource();
        var waiting = WaitOnThread(behind, _longBound, TimeProvider.System, cancellation.Token);

        await consumer.Asked.Task.WaitAsync(_failBound);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(_failBound));
        Assert.Empty(behind);
        Assert.Equal(0, consumer.Excused);
    }

    [Fact]
    public async Task Blocking_OnAnotherClock_OnlyThatClockEndsTheBound()
    {
        var time = new TimerCountingTimeProvider();
        var consumer = new Consumer();
        List<ICatchUpTarget> behind = [consumer];
        var armed = time.NextTimerAsync();
        var waiting = WaitOnThread(behind, _bound, time, CancellationToken.None);

        await armed.WaitAsync(_failBound);
        Assert.False(waiting.IsCompleted);
        time.Advance(_bound);
        await waiting.WaitAsync(_failBound);
        Assert.Equal(1, consumer.Excused);
        Assert.Empty(behind);
    }

    /// <summary>Runs the blocking wait on a thread of its own, as a client's receive loop does.</summary>
    private static Task WaitOnThread(List<ICatchUpTarget> behind, TimeSpan bound, TimeProvider time, CancellationToken cancellation)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                CatchUpWait.Wait(behind, bound, time, cancellation);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true };
        thread.Start();
        return done.Task;
    }
}
