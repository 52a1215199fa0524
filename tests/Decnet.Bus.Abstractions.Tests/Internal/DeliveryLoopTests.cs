using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// The delivery loop's lock-free ready queue: however scheduling threads interleave with the loop parking, no
/// subscription with events is left unrun (a lost wake-up would strand events, and this test would time out), whether
/// the parked loop resumes on the thread pool or on a <see cref="ResumeThread"/>.
/// </summary>
public sealed class DeliveryLoopTests
{
    private const string _resumeThreadName = "test-resume";
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ManyThreadsScheduling_WhileTheLoopParksAndWakes_LoseNoEvent(bool resumeThread)
    {
        const int Producers = 4;
        const int SubscriptionsEach = 50;
        const int Rounds = 400;
        var total = Producers * SubscriptionsEach * Rounds;
        var handled = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var resumer = resumeThread ? new ResumeThread(_resumeThreadName) : null;
        await using var loop = new DeliveryLoop(logger: null, resumer);
        var subscriptions = Enumerable.Range(0, Producers * SubscriptionsEach)
            .Select(i => new HandlerSubscription($"s.{i}", 1 << 12, (_, _) =>
            {
                if (Interlocked.Increment(ref handled) == total)
                {
                    done.TrySetResult();
                }

                return ValueTask.CompletedTask;
            }, loop, null, null))
            .ToArray();

        // Each producer feeds its own subscriptions (one writer per ring, as a transport's receive loop does) in
        // bursts of one event per subscription, so the loop keeps draining, parking and being woken mid-burst.
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                for (var s = p * SubscriptionsEach; s < (p + 1) * SubscriptionsEach; s++)
                {
                    Assert.True(subscriptions[s].AppendCopy("s.x", "t", "0123456789abcdef0123456789abcdef"u8, round, null, [0x80]));
                    subscriptions[s].Wake();
                }
            }
        }));
        await Task.WhenAll(producers).WaitAsync(_bound);

        await done.Task.WaitAsync(_bound);
        Assert.Equal(total, Volatile.Read(ref handled));
        Assert.All(subscriptions, s => Assert.Equal(0, s.Dropped));
        foreach (var subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnEventScheduledJustAsTheLoopParks_IsStillHandled(bool resumeThread)
    {
        // Ping-pong: each event is scheduled the moment the previous one is handled, which is when the loop finds its
        // queue empty and parks. A wake-up lost in that window strands the event and the round times out.
        const int Rounds = 5_000;
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var resumer = resumeThread ? new ResumeThread(_resumeThreadName) : null;
        await using var loop = new DeliveryLoop(logger: null, resumer);
        await using var subscription = new HandlerSubscription("p.x", 16, (_, _) =>
        {
            Volatile.Read(ref handled).TrySetResult();
            return ValueTask.CompletedTask;
        }, loop, null, null);

        for (var round = 0; round < Rounds; round++)
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref handled, next);
            Assert.True(subscription.AppendCopy("p.x", "t", "0123456789abcdef0123456789abcdef"u8, round, null, [0x80]));
            subscription.Wake();
            await next.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task AParkedLoop_ResumesOnTheResumeThread()
    {
        // The stress tests above cannot say whether the loop ever parked (busy producers can keep it running): this
        // one waits until it has, so the second event's wake-up is the one offered to the resume thread.
        var calls = new[]
        {
            new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        var call = 0;
        using var resumer = new ResumeThread(_resumeThreadName);
        await using var loop = new DeliveryLoop(logger: null, resumer);
        await using var subscription = new HandlerSubscription("r.x", 16, (_, _) =>
        {
            calls[Math.Min(call++, calls.Length - 1)].TrySetResult(Thread.CurrentThread.Name);
            return ValueTask.CompletedTask;
        }, loop, null, null);

        for (var i = 0; i < calls.Length; i++)
        {
            Assert.True(subscription.AppendCopy("r.x", "t", "0123456789abcdef0123456789abcdef"u8, i, null, [0x80]));
            subscription.Wake();
            await calls[i].Task.WaitAsync(_bound);
            Assert.True(SpinWait.SpinUntil(() => loop.IsParked, _bound), "the loop never parked");
        }

        Assert.Equal(_resumeThreadName, await calls[1].Task);
    }

    [Fact]
    public async Task EventsArrivingWhileAHandlerRuns_GetOneMoreTurn_InOrder_NeverOverlapping()
    {
        // The take that handed the handler its event emptied the ring and unscheduled it; events appended while the
        // handler is still busy schedule it again, and that second turn must wait for the first and keep the order.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<double>();
        var running = 0;
        var overlapped = false;
        await using var loop = new DeliveryLoop(logger: null);
        await using var subscription = new HandlerSubscription("o.x", 16, async (delivery, _) =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            seen.Add(delivery.Timestamp);
            if (delivery.Timestamp == 0)
            {
                first.TrySetResult();
                await release.Task;
            }

            Interlocked.Decrement(ref running);
            if (seen.Count == 4)
            {
                all.TrySetResult();
            }
        }, loop, null, null);

        Append(subscription, 0);
        await first.Task.WaitAsync(_bound);
        for (var i = 1; i < 4; i++)
        {
            Append(subscription, i);
        }

        release.SetResult();
        await all.Task.WaitAsync(_bound);
        Assert.False(overlapped);
        Assert.Equal([0.0, 1.0, 2.0, 3.0], seen);
    }

    private static void Append(HandlerSubscription subscription, double timestamp)
    {
        Assert.True(subscription.AppendCopy("o.x", "t", "0123456789abcdef0123456789abcdef"u8, timestamp, null, [0x80]));
        subscription.Wake();
    }
}
