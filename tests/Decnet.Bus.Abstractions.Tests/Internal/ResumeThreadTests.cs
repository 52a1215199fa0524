using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// The resume thread's one-slot hand-off: work it accepts runs exactly once on it, from spinning or from sleep, work
/// offered while it is busy is refused (the caller completes on the thread pool), disposal ends it without waiting for
/// the work it runs and never strands work it accepted, and one completion's context never reaches the next.
/// </summary>
public sealed class ResumeThreadTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private static readonly AsyncLocal<string?> _leaked = new();

    [Fact]
    public async Task AcceptedWork_RunsOnTheThread()
    {
        using var thread = new ResumeThread("test-resume");
        var ran = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(thread.TryRun(state => ((TaskCompletionSource<string?>)state!).SetResult(Thread.CurrentThread.Name), ran));

        Assert.Equal("test-resume", await ran.Task.WaitAsync(_bound));
    }

    [Fact]
    public async Task WorkOfferedWhileItIsBusy_IsRefusedAndNeverRuns()
    {
        using var thread = new ResumeThread("test-resume");
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusedRan = 0;
        Assert.True(thread.TryRun(_ =>
        {
            entered.SetResult();
            release.Wait(_bound);
        }, null));
        await entered.Task.WaitAsync(_bound);

        Assert.False(thread.TryRun(_ => Interlocked.Increment(ref refusedRan), null));
        release.Set();

        // Free again once the first returns: the next offer is taken (and runs), the refused one never did.
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(SpinWait.SpinUntil(() => thread.TryRun(_ => next.SetResult(), null), _bound), "the thread never became free again");
        await next.Task.WaitAsync(_bound);
        Assert.Equal(0, Volatile.Read(ref refusedRan));
    }

    [Fact]
    public async Task OffersFromTwoThreads_WhileItSpinsAndSleeps_RunEveryAcceptedWorkExactlyOnce()
    {
        // Offers race the thread's own parking (spinning, then blocking): an acceptance whose wake-up is lost leaves
        // its work unrun, and the count below never catches up.
        const int OffersEach = 20_000;
        using var thread = new ResumeThread("test-resume");
        long accepted = 0;
        long ran = 0;
        Action<object?> work = _ => Interlocked.Increment(ref ran);

        var offering = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < OffersEach; i++)
            {
                if (thread.TryRun(work, null))
                {
                    Interlocked.Increment(ref accepted);
                }

                if (i % 64 == 0)
                {
                    // Now and then leave the thread long enough to go from spinning to blocking.
                    Thread.Yield();
                }
            }
        }));
        await Task.WhenAll(offering).WaitAsync(_bound);

        var total = Interlocked.Read(ref accepted);
        Assert.True(total > 0, "no offer was accepted");
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref ran) == total, _bound), $"{Interlocked.Read(ref ran)} of {total} accepted runs happened");
        Assert.True(SpinWait.SpinUntil(() => thread.TryRun(work, null), _bound), "the thread never became free again");
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref ran) == total + 1, _bound), "the last accepted work never ran");
    }

    [Fact]
    public async Task Dispose_EndsTheThreadOnceItsWorkReturns_AndRefusesLaterWork()
    {
        var thread = new ResumeThread("test-resume");
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(thread.TryRun(_ =>
        {
            entered.SetResult();
            release.Wait(_bound);
        }, null));
        await entered.Task.WaitAsync(_bound);

        thread.Dispose();
        Assert.False(thread.WaitForExit(TimeSpan.Zero), "the thread ended while its work was still running");
        release.Set();

        Assert.True(thread.WaitForExit(_bound), "the thread did not end after its work returned");
        Assert.False(thread.TryRun(_ => { }, null));
    }

    [Fact]
    public void Dispose_WakesASleepingThread()
    {
        var thread = new ResumeThread("test-resume");
        Assert.True(SpinWait.SpinUntil(() => thread.IsSleeping, _bound), "the idle thread never went to sleep");

        thread.Dispose();

        Assert.True(thread.WaitForExit(_bound), "the idle thread did not end");
    }

    [Fact]
    public async Task WorkOfferedWhileItSleeps_WakesItAndRuns()
    {
        using var thread = new ResumeThread("test-resume");
        Assert.True(SpinWait.SpinUntil(() => thread.IsSleeping, _bound), "the idle thread never went to sleep");
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(thread.TryRun(_ => ran.SetResult(), null));

        await ran.Task.WaitAsync(_bound);
    }

    [Fact]
    public async Task DisposeRacingOffers_NeverStrandsWorkItAccepted()
    {
        // An offer that claimed the slot just before the stop still assigns its work; the thread must run it before it
        // ends (its consumer is waiting on nothing else). Repeated, so the offer lands on every side of the stop.
        for (var round = 0; round < 200; round++)
        {
            var thread = new ResumeThread("test-resume");
            long accepted = 0;
            long ran = 0;
            using var offering = new CancellationTokenSource();
            var offers = Task.Run(() =>
            {
                while (!offering.IsCancellationRequested)
                {
                    if (thread.TryRun(_ => Interlocked.Increment(ref ran), null))
                    {
                        Interlocked.Increment(ref accepted);
                    }
                }
            });

            try
            {
                Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref accepted) > round % 7, _bound), "no offer was accepted");
                thread.Dispose();
                Assert.True(thread.WaitForExit(_bound), $"round {round}: the thread did not end");
            }
            finally
            {
                // Also when an assertion failed: the offering loop would spin a core for the rest of the run.
                await offering.CancelAsync();
            }

            await offers.WaitAsync(_bound);

            Assert.Equal(Interlocked.Read(ref accepted), Interlocked.Read(ref ran));
            Assert.False(thread.TryRun(_ => { }, null));
        }
    }

    [Fact]
    public async Task WhatOneCompletionLeavesOnTheThread_NeverReachesTheNext()
    {
        using var thread = new ResumeThread("test-resume");
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(thread.TryRun(_ =>
        {
            // Outside an async method nothing restores these for the thread: it must do so itself.
            _leaked.Value = "left behind";
            SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
            first.SetResult();
        }, null));
        await first.Task.WaitAsync(_bound);

        var second = new TaskCompletionSource<(string? Value, SynchronizationContext? Context)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(SpinWait.SpinUntil(() => thread.TryRun(_ => second.SetResult((_leaked.Value, SynchronizationContext.Current)), null), _bound), "the thread never became free again");
        var (value, context) = await second.Task.WaitAsync(_bound);

        Assert.Null(value);
        Assert.Null(context);
    }
}
