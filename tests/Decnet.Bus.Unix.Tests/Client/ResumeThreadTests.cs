using Decnet.Bus.Unix.Tests.Support;
using static Decnet.Bus.Unix.Tests.Support.Resumes;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The bus's resume thread (docs/dotnet-hosts.md, "Threads"): a consumer without inline delivery, and the handlers'
/// delivery loop, resume on it while it is free; a consumer that holds it leaves the others to the thread pool; the
/// consumer's execution context, synchronization context and task scheduler are honoured there as on the thread pool.
/// </summary>
public sealed class ResumeThreadTests
{
    private static readonly AsyncLocal<string?> _flowed = new();

    [Fact]
    public async Task AParkedConsumer_ResumesOnTheResumeThread()
    {
        await using var rig = await EnumeratedSubscription.StartAsync("resume.enum");
        var (subscriber, publisher, enumerator) = rig;

        for (var i = 0; i < 3; i++)
        {
            // This method itself goes on on the resume thread after the last round's wait (nothing captures a context
            // here): leave it, and wait until it is free, so this round's wake-up cannot find it busy with the test.
            await Task.Yield();
            Assert.True(SpinWait.SpinUntil(() => subscriber.ResumeThreadIdle, TestBroker.Bound), "the resume thread never became free");

            // Registered before the event is published: the wait is parked when it arrives.
            var resumed = NextAsync(enumerator);
            Assert.False(resumed.IsCompleted, "the wait completed before anything was published");
            await publisher.PublishAsync("resume.enum", new { i });

            var (moved, thread) = await resumed.WaitAsync(TestBroker.Bound);
            Assert.True(moved);
            Assert.Equal(UnixSocketBus.ResumeThreadName, thread.Name);
            Assert.Equal(i, Seq(enumerator.Current));
        }
    }

    [Fact]
    public async Task AConsumerHoldingTheResumeThread_LeavesAnotherToTheThreadPool()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var held = await subscriber.SubscribeAsync("resume.held");
        await using var free = await subscriber.SubscribeAsync("resume.free");
        await using var heldEvents = held.GetAsyncEnumerator();
        await using var freeEvents = free.GetAsyncEnumerator();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var holding = HoldAsync();
        try
        {
            Assert.False(holding.IsCompleted, "the held consumer did not wait");
            await publisher.PublishAsync("resume.held", new { i = 0 });
            Assert.Equal(UnixSocketBus.ResumeThreadName, await entered.Task.WaitAsync(TestBroker.Bound));

            var next = NextAsync(freeEvents);
            Assert.False(next.IsCompleted, "the free consumer's wait completed before anything was published");
            await publisher.PublishAsync("resume.free", new { i = 1 });
            var (moved, thread) = await next.WaitAsync(TestBroker.Bound);

            Assert.True(moved);
            Assert.Equal(1, Seq(freeEvents.Current));
            Assert.True(thread.IsThreadPoolThread, $"resumed on \"{thread.Name}\", not on the thread pool");
        }
        finally
        {
            release.Set();
        }

        await holding.WaitAsync(TestBroker.Bound);

        async Task HoldAsync()
        {
            Assert.True(await heldEvents.MoveNextAsync().ConfigureAwait(false));
            entered.TrySetResult(Thread.CurrentThread.Name);

            // Blocks whatever thread resumed it, the resume thread when it was free.
            Assert.True(release.Wait(2 * TestBroker.Bound), "the test never released the consumer");
        }
    }

    [Fact]
    public async Task TheDeliveryLoop_OnceParked_ResumesOnTheResumeThread()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var calls = new[]
        {
            new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously),
            new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        var call = 0;
        await using var subscription = await subscriber.SubscribeAsync("resume.loop", (delivery, _) =>
        {
            calls[Math.Min(call++, calls.Length - 1)].TrySetResult(Thread.CurrentThread.Name);
            return ValueTask.CompletedTask;
        });

        // The loop's first run starts on the thread pool; once it has parked, the next event resumes it.
        await publisher.PublishAsync("resume.loop", new { i = 0 });
        await calls[0].Task.WaitAsync(TestBroker.Bound);
        Assert.True(SpinWait.SpinUntil(() => subscriber.DeliveryLoopParked, TestBroker.Bound), "the delivery loop never parked");

        await publisher.PublishAsync("resume.loop", new { i = 1 });
        Assert.Equal(UnixSocketBus.ResumeThreadName, await calls[1].Task.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task AConsumerResumedThere_KeepsItsAsyncLocalValues()
    {
        await using var rig = await EnumeratedSubscription.StartAsync("resume.flow");
        var (subscriber, publisher, enumerator) = rig;

        var resumed = WithValueAsync("the consumer's own");
        Assert.False(resumed.IsCompleted, "the wait completed before anything was published");
        await publisher.PublishAsync("resume.flow", new { i = 0 });
        var (thread, value) = await resumed.WaitAsync(TestBroker.Bound);

        Assert.Equal(UnixSocketBus.ResumeThreadName, thread);
        Assert.Equal("the consumer's own", value);

        async Task<(string? Thread, string? Value)> WithValueAsync(string value)
        {
            _flowed.Value = value;
            Assert.True(await enumerator.MoveNextAsync().ConfigureAwait(false));
            return (Thread.CurrentThread.Name, _flowed.Value);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AConsumerWithASynchronizationContext_ResumesThroughIt(bool inline)
    {
        await using var rig = await EnumeratedSubscription.StartAsync("resume.context", new SubscriptionOptions { InlineDelivery = inline });
        var (subscriber, publisher, enumerator) = rig;
        var context = new PostCountingContext();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var consuming = Task.Run(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            return ConsumeAsync();
        });
        await waiting.Task.WaitAsync(TestBroker.Bound);
        await publisher.PublishAsync("resume.context", new { i = 0 });
        var (thread, current) = await consuming.WaitAsync(TestBroker.Bound);

        Assert.Same(context, current);
        Assert.Equal(1, context.Posts);
        Assert.Equal(PostCountingContext.ThreadName, thread);

        async Task<(string? Thread, SynchronizationContext? Current)> ConsumeAsync()
        {
            var next = enumerator.MoveNextAsync();
            Assert.False(next.IsCompleted, "the wait completed before anything was published");
            waiting.SetResult();

            // Captures the context: the continuation goes through its Post, whichever thread ends the wait.
            Assert.True(await next);
            return (Thread.CurrentThread.Name, SynchronizationContext.Current);
        }
    }

    [Fact]
    public async Task AConsumerUnderATaskScheduler_ResumesThroughIt()
    {
        await using var rig = await EnumeratedSubscription.StartAsync("resume.scheduler");
        var (subscriber, publisher, enumerator) = rig;
        var scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var consuming = Task.Factory.StartNew(ConsumeAsync, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap();
        await waiting.Task.WaitAsync(TestBroker.Bound);
        await publisher.PublishAsync("resume.scheduler", new { i = 0 });
        var (thread, current) = await consuming.WaitAsync(TestBroker.Bound);

        Assert.Same(scheduler, current);
        Assert.NotEqual(UnixSocketBus.ResumeThreadName, thread);

        async Task<(string? Thread, TaskScheduler Current)> ConsumeAsync()
        {
            var next = enumerator.MoveNextAsync();
            Assert.False(next.IsCompleted, "the wait completed before anything was published");
            waiting.SetResult();

            // Captures the scheduler (no synchronization context on its threads): the continuation is queued to it.
            Assert.True(await next);
            return (Thread.CurrentThread.Name, TaskScheduler.Current);
        }
    }

    /// <summary>Runs each posted callback on a thread of its own, under this context, and counts the posts.</summary>
    private sealed class PostCountingContext : SynchronizationContext
    {
        public const string ThreadName = "test-context";

        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            new Thread(() =>
            {
                SetSynchronizationContext(this);
                d(state);
            })
            { IsBackground = true, Name = ThreadName }.Start();
        }
    }
}
