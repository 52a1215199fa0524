using Decnet.Bus.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// Catch-up waits (docs/Service-Bus.md, "Catch-up waits"): a queue more than half full asks its filler to wait; the
/// wait ends when the consumer has worked it down to a quarter, or when the bound runs out, which excuses the consumer
/// until it has caught up.
/// </summary>
public sealed partial class CatchUpTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task AQueueMoreThanHalfFull_IsBehind_AndItsWaitEndsAtAQuarter()
    {
        await using var subscription = new ChannelSubscription("a.>", 100, null, null);
        Fill(subscription, 50);
        Assert.False(subscription.IsBehind());
        Fill(subscription, 1);
        Assert.True(subscription.IsBehind());

        var caughtUp = subscription.CatchUpTask();
        Assert.NotNull(caughtUp);
        await using var reader = subscription.GetAsyncEnumerator();
        await Read(reader, 25);
        Assert.False(caughtUp.IsCompleted, "released above a quarter (26 of 100 queued)");
        await Read(reader, 1);
        Assert.True(caughtUp.IsCompletedSuccessfully, "not released at a quarter (25 of 100 queued)");
        Assert.Null(subscription.CatchUpTask());
    }

    [Fact]
    public async Task AWaitThatRunsOut_ExcusesTheConsumer_UntilItHasCaughtUp()
    {
        var time = new FakeTimeProvider();
        await using var subscription = new ChannelSubscription("a.>", 100, null, null);
        Fill(subscription, 80);
        List<ICatchUpTarget> behind = [subscription];

        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        time.Advance(_bound);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(behind);

        // Excused: more events do not ask for another wait while the consumer has not caught up.
        Fill(subscription, 10);
        Assert.False(subscription.IsBehind());
        Assert.Null(subscription.CatchUpTask());

        // Caught up (down to a quarter): the next time it falls behind, it is waited for again.
        await using var reader = subscription.GetAsyncEnumerator();
        await Read(reader, 65);
        Fill(subscription, 30);
        Assert.True(subscription.IsBehind());
    }

    [Fact]
    public async Task AnExcusedConsumer_ThatReadsAWholeQueuesWorth_IsWaitedForAgain_WithoutCatchingUp()
    {
        var time = new FakeTimeProvider();
        await using var subscription = new ChannelSubscription("a.>", 100, null, null);
        Fill(subscription, 100);
        List<ICatchUpTarget> behind = [subscription];
        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, CancellationToken.None).AsTask();
        time.Advance(_bound);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        // Reading one for every one queued keeps the queue full (never down to a quarter): 99 reads leave it excused,
        // the 100th, a whole queue's worth, shows it is reading again.
        await using var reader = subscription.GetAsyncEnumerator();
        for (var i = 0; i < 99; i++)
        {
            await Read(reader, 1);
            Fill(subscription, 1);
        }

        Assert.False(subscription.IsBehind(), "re-armed before a whole queue's worth was read");
        await Read(reader, 1);
        Fill(subscription, 1);
        Assert.True(subscription.IsBehind(), "still excused after reading a whole queue's worth");
    }

    [Fact]
    public async Task AConsumerThatCatchesUpInTime_IsNotExcused()
    {
        var time = new FakeTimeProvider();
        await using var subscription = new ChannelSubscription("a.>", 100, null, null);
        Fill(subscription, 80);
        List<ICatchUpTarget> behind = [subscription];

        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, CancellationToken.None).AsTask();
        await using var reader = subscription.GetAsyncEnumerator();
        await Read(reader, 60);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Fill(subscription, 40);
        Assert.True(subscription.IsBehind(), "a consumer that caught up in time was excused");
    }

    [Fact]
    public async Task AConsumerThatTookSomethingDuringTheBound_GetsAnotherBound_AndIsNotExcusedIfItCatchesUp()
    {
        // A consumer compiling its receive path on its first events reads, slowly: excused after one bound, it lost
        // the events its queue could not hold (docs/performance-history-2.md, part 7).
        var time = new TimerCountingTimeProvider();
        var consumer = new Consumer();
        var waiting = StartWait(time, consumer);

        consumer.Taken = 3;
        await AdvanceOneBoundAsync(time, waiting, extended: true);
        Assert.Equal(0, consumer.Excused);

        await CatchUpAndEndAsync(consumer, waiting);
    }

    [Fact]
    public async Task AConsumerThatTookNothingDuringTheBound_IsExcused_AfterOneBound()
    {
        var time = new TimerCountingTimeProvider();
        var consumer = new Consumer();
        var waiting = StartWait(time, consumer);

        await AdvanceOneBoundAsync(time, waiting, extended: false);
        Assert.Equal(1, consumer.Excused);
    }

    [Fact]
    public async Task AConsumerThatKeepsTakingButNeverCatchesUp_IsExcused_AfterTheMostBounds()
    {
        var time = new TimerCountingTimeProvider();
        var consumer = new Consumer();
        var waiting = StartWait(time, consumer);

        for (var bound = 1; bound < CatchUpWait.MaxBounds; bound++)
        {
            consumer.Taken++;
            await AdvanceOneBoundAsync(time, waiting, extended: true);
        }

        consumer.Taken++;
        await AdvanceOneBoundAsync(time, waiting, extended: false);
        Assert.Equal(1, consumer.Excused);
    }

    [Fact]
    public async Task ATargetWhoseTurnComesAfterTheBound_IsJudgedOnWhatItDidDuringIt()
    {
        // The first stopped reading and is waited for the whole bound; the second read meanwhile, and its turn starts
        // only once the bound has run out.
        var time = new TimerCountingTimeProvider();
        var stopped = new Consumer();
        var reading = new Consumer();
        var waiting = StartWait(time, stopped, reading);

        reading.Taken = 5;
        await AdvanceOneBoundAsync(time, waiting, extended: true);
        Assert.Equal(1, stopped.Excused);
        Assert.Equal(0, reading.Excused);

        await CatchUpAndEndAsync(reading, waiting);
    }

    [Fact]
    public async Task Cancellation_EndsTheWait_AndClearsTheList()
    {
        var time = new TimerCountingTimeProvider();
        var consumer = new Consumer();
        List<ICatchUpTarget> behind = [consumer];
        using var cancellation = new CancellationTokenSource();
        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(behind);
        Assert.Equal(0, consumer.Excused);
    }

    [Fact]
    public async Task AChannelSubscriptionsReads_CountAsProgress()
    {
        await using var subscription = new ChannelSubscription("a.>", 100, null, null);
        Fill(subscription, 10);
        ICatchUpTarget target = subscription;
        var before = target.Progress;
        await using var reader = subscription.GetAsyncEnumerator();
        await Read(reader, 3);
        Assert.Equal(before + 3, target.Progress);
    }

    [Fact]
    public async Task Disposal_ReleasesAWaitingFiller()
    {
        var time = new FakeTimeProvider();
        var subscription = new ChannelSubscription("a.>", 10, null, null);
        Fill(subscription, 9);
        List<ICatchUpTarget> behind = [subscription];

        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        await subscription.DisposeAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OneBoundCoversTheWholeList()
    {
        var time = new FakeTimeProvider();
        await using var first = new ChannelSubscription("a.>", 10, null, null);
        await using var second = new ChannelSubscription("b.>", 10, null, null);
        Fill(first, 9);
        Fill(second, 9);
        List<ICatchUpTarget> behind = [first, second];

        var waiting = CatchUpWait.WaitAsync(behind, _bound, time, CancellationToken.None).AsTask();
        time.Advance(_bound);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        // The second got no time of its own: the bound was spent on the first, so both are excused.
        Assert.False(first.IsBehind());
        Assert.False(second.IsBehind());
        Fill(first, 1);
        Assert.Null(first.CatchUpTask());
        Assert.Null(second.CatchUpTask());
    }

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(0, 0)]
    [InlineData(50, 50)]
    [InlineData(1000, 1000)]
    [InlineData(86_400_000, 1000)]
    public void TheBound_IsClampedForOptionsThatSkippedValidation(double milliseconds, double expected)
        => Assert.Equal(TimeSpan.FromMilliseconds(expected), CatchUpWait.Clamp(TimeSpan.FromMilliseconds(milliseconds)));

    /// <summary>A wait for <paramref name="consumers"/>, in that order, on the fake clock.</summary>
    private static Task StartWait(TimerCountingTimeProvider time, params Consumer[] consumers)
        => CatchUpWait.WaitAsync([.. consumers], _bound, time, CancellationToken.None).AsTask();

    /// <summary>The consumer catches up: the wait ends without excusing it.</summary>
    private static async Task CatchUpAndEndAsync(Consumer consumer, Task waiting)
    {
        consumer.CaughtUp.SetResult();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, consumer.Excused);
    }

    /// <summary>
    /// Advances the clock by one bound, then waits for the wait's decision: <paramref name="extended"/>, it armed a
    /// timer for another bound; otherwise it finished.
    /// </summary>
    private static async Task AdvanceOneBoundAsync(TimerCountingTimeProvider time, Task waiting, bool extended)
    {
        var rearmed = time.NextTimerAsync();
        time.Advance(_bound);
        var first = await Task.WhenAny(rearmed, waiting).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(
            extended ? first == rearmed : first == waiting,
            extended ? "the wait ended instead of taking another bound" : "the wait took another bound instead of ending");
    }

    /// <summary>A consumer that has taken <see cref="Taken"/> events, catches up when told, counts excuses.</summary>
    private sealed class Consumer : ICatchUpTarget
    {
        public long Taken { get; set; }

        public TaskCompletionSource CaughtUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Excused { get; private set; }

        public long Progress => Taken;

        /// <summary>Completes once a filler has asked what to wait for.</summary>
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? CatchUpTask()
        {
            Asked.TrySetResult();
            return CaughtUp.Task.IsCompleted ? null : CaughtUp.Task;
        }

        public void Excuse() => Excused++;
    }

    /// <summary>A fake clock that says when the code under test next arms a timer, so tests need no polling.</summary>
    private sealed class TimerCountingTimeProvider : FakeTimeProvider
    {
        private TaskCompletionSource? _next;

        public Task NextTimerAsync() => (_next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _next?.TrySetResult();
            return timer;
        }
    }

    private static void Fill(ChannelSubscription subscription, int count)
    {
        for (var i = 0; i < count; i++)
        {
            subscription.TryDeliver(new BusEvent("a.b", new byte[] { 0x80 }, null, null, 1));
        }
    }

    private static async Task Read(IAsyncEnumerator<BusEvent> reader, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await reader.MoveNextAsync());
        }
    }
}
