using System.Diagnostics;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Tests.Support;
using static Decnet.Bus.Unix.Tests.Support.Resumes;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Inline delivery for an enumerable subscription (<see cref="SubscriptionOptions.InlineDelivery"/>,
/// docs/dotnet-hosts.md): a consumer waiting in <c>MoveNextAsync</c> resumes on the receive thread; one that awaits the
/// bus from there leaves the connection reading; a cancelled or disposed wait never resumes it on the thread that
/// cancelled or disposed.
/// Order and drop-oldest shared with FakeBus are in the conformance suite's inline enumeration tests.
/// </summary>
public sealed class InlineEnumerationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Consumer_ResumesOnTheReceiveThread_OnlyWhenInline(bool inline)
    {
        await using var rig = await EnumeratedSubscription.StartAsync("inline.enum", new SubscriptionOptions { InlineDelivery = inline });
        var (subscriber, publisher, enumerator) = rig;

        for (var i = 0; i < 3; i++)
        {
            // The continuation is registered before the event is published: the wait is parked when it arrives.
            var resumed = NextAsync(enumerator);
            Assert.False(resumed.IsCompleted, "the wait completed before anything was published");
            await publisher.PublishAsync("inline.enum", new { i });

            var (moved, thread) = await resumed.WaitAsync(TestBroker.Bound);
            Assert.True(moved);
            Assert.Equal(inline, thread.Name?.StartsWith("decnet-bus-recv", StringComparison.Ordinal) == true);
            Assert.Equal(i, Seq(enumerator.Current));
        }
    }

    [Fact]
    public async Task InlineConsumer_ThatAwaitsAReplyTheReceiveThreadReads_GetsEveryLaterEventInOrder()
    {
        const int Events = 200;
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var subscription = await subscriber.SubscribeAsync("inline.await", new SubscriptionOptions { InlineDelivery = true });
        var seen = new List<int>();
        var threads = new HashSet<string>();

        var consuming = ConsumeAsync();
        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("inline.await", new { i });
        }

        await consuming.WaitAsync(TestBroker.Bound);
        Assert.Equal(Enumerable.Range(0, Events), seen);
        Assert.Contains(threads, name => name.StartsWith("decnet-bus-recv", StringComparison.Ordinal));
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(Events, subscription.Received);

        async Task ConsumeAsync()
        {
            await foreach (var evt in subscription.WithCancellation(CancellationToken.None).ConfigureAwait(false))
            {
                threads.Add(Thread.CurrentThread.Name ?? string.Empty);
                seen.Add(Seq(evt));
                if (seen.Count % 50 == 1)
                {
                    // A reply only the receive thread can read, awaited from the body that may be running on it.
                    await subscriber.GetBrokerStatsAsync().ConfigureAwait(false);
                }

                if (seen.Count == Events)
                {
                    return;
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WaitEndedByCancelOrDispose_AfterAnInlineResume_NeverResumesTheConsumerOnTheEndingThread(bool dispose)
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var subscription = await subscriber.SubscribeAsync("inline.end", new SubscriptionOptions { InlineDelivery = true });
        using var cancel = new CancellationTokenSource();
        await using var enumerator = subscription.GetAsyncEnumerator(cancel.Token);

        // One wait ended inline first, so an ending left to that setting would run on the ending thread.
        var first = NextAsync(enumerator);
        await publisher.PublishAsync("inline.end", new { i = 0 });
        var (_, firstThread) = await first.WaitAsync(TestBroker.Bound);
        Assert.StartsWith("decnet-bus-recv", firstThread.Name, StringComparison.Ordinal);

        var resumedOn = NextAsync(enumerator);
        Assert.False(resumedOn.IsCompleted, "the second wait completed before it was ended");
        var ender = new Thread(() =>
        {
            if (dispose)
            {
                subscription.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            else
            {
                cancel.Cancel();
            }
        });
        ender.Start();
        Assert.True(ender.Join(TestBroker.Bound), "ending the wait did not return");

        Assert.NotSame(ender, (await resumedOn.WaitAsync(TestBroker.Bound)).Thread);
        await subscription.DisposeAsync();
    }

    [Fact]
    public async Task AfterAReconnect_AWaitingConsumer_ResumesOnTheNewConnectionsReceiveThread()
    {
        await using var rig = await EnumeratedSubscription.StartAsync("inline.again", new SubscriptionOptions { InlineDelivery = true });
        var (subscriber, publisher, enumerator) = rig;
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        var first = NextAsync(enumerator);
        await publisher.PublishAsync("inline.again", new { i = 0 });
        var (_, before) = await first.WaitAsync(TestBroker.Bound);
        await subscriber.WaitForGenerationAsync(1, timeout.Token);

        await rig.Broker.RestartAsync();
        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await publisher.WaitForGenerationAsync(2, timeout.Token);
        var second = NextAsync(enumerator);
        Assert.False(second.IsCompleted, "the wait after the reconnect completed before anything was published");
        await publisher.PublishAsync("inline.again", new { i = 1 });
        var (_, after) = await second.WaitAsync(TestBroker.Bound);

        Assert.StartsWith("decnet-bus-recv", before.Name, StringComparison.Ordinal);
        Assert.StartsWith("decnet-bus-recv", after.Name, StringComparison.Ordinal);
        Assert.NotSame(before, after);
        Assert.Equal(1, Seq(enumerator.Current));
        Assert.True(enumerator.Current.MayHaveMissed, "the first event after a reconnect is marked as a possible gap");
    }

    [Fact]
    public async Task DisposingTheBus_WhileAnInlineBodyBlocksTheReceiveThread_ReturnsWithinItsBound_AndTheEnumerationEnds()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var subscription = await subscriber.SubscribeAsync("inline.block", new SubscriptionOptions { InlineDelivery = true });
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var consuming = ConsumeAsync();
        try
        {
            await publisher.PublishAsync("inline.block", new { i = 0 });
            Assert.StartsWith("decnet-bus-recv", await entered.Task.WaitAsync(TestBroker.Bound), StringComparison.Ordinal);

            // The body holds the receive thread; the bus waits for it within its own bounds, then goes on.
            var bounds = UnixSocketBus.DisposeFlushBound + DeliveryLoop.StopBound;
            var disposing = Stopwatch.StartNew();
            await subscriber.DisposeAsync().AsTask().WaitAsync(3 * TestBroker.Bound);
            Assert.True(disposing.Elapsed < bounds + TimeSpan.FromSeconds(4), $"DisposeAsync took {disposing.Elapsed}, its bounds are {bounds}");
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(1, await consuming.WaitAsync(TestBroker.Bound));

        async Task<int> ConsumeAsync()
        {
            var seen = 0;
            await foreach (var evt in subscription.WithCancellation(CancellationToken.None).ConfigureAwait(false))
            {
                seen++;
                entered.TrySetResult(Thread.CurrentThread.Name);
                Assert.True(release.Wait(6 * TestBroker.Bound), "the test never released the body");
            }

            return seen;
        }
    }
}
