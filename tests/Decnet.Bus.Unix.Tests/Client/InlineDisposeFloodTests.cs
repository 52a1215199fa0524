using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An inline handler is never called once its subscription's <c>DisposeAsync</c> has returned, though the receive
/// thread may be between its disposal check and the call (copying a large event) as the dispose runs on another thread.
/// </summary>
public sealed class InlineDisposeFloodTests
{
    private const int _rounds = 40;
    private const int _subscriptions = 64;

    [Fact]
    public async Task InlineHandlers_AreNotCalledAfterTheirDisposeReturned_UnderAFloodOfLargeEvents()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var payload = new { data = new byte[15 * 1024] };
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await publisher.PublishAsync("flood.inline", payload);
            }
        });

        var late = 0;
        for (var round = 0; round < _rounds; round++)
        {
            var disposed = new int[_subscriptions];
            var called = new int[_subscriptions];
            var calledCount = 0;
            var allCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var subscriptions = new IBusHandlerSubscription[_subscriptions];
            for (var i = 0; i < _subscriptions; i++)
            {
                var index = i;
                subscriptions[i] = await subscriber.SubscribeAsync(
                    "flood.inline",
                    (_, _) =>
                    {
                        if (Volatile.Read(ref disposed[index]) != 0)
                        {
                            Interlocked.Increment(ref late);
                        }
                        else if (Interlocked.Exchange(ref called[index], 1) == 0 && Interlocked.Increment(ref calledCount) == _subscriptions)
                        {
                            allCalled.TrySetResult();
                        }

                        return ValueTask.CompletedTask;
                    },
                    new SubscriptionOptions { InlineDelivery = true });
            }

            await allCalled.Task.WaitAsync(TestBroker.Bound);

            // From a thread of its own, as the receive thread keeps handing events to the same handlers.
            await Task.Run(async () =>
            {
                for (var i = 0; i < _subscriptions; i++)
                {
                    await subscriptions[i].DisposeAsync();
                    Volatile.Write(ref disposed[i], 1);
                }
            }).WaitAsync(TestBroker.Bound);
        }

        await stop.CancelAsync();
        await flood.WaitAsync(TestBroker.Bound);
        Assert.True(late == 0, $"{late} handler calls after their subscription's DisposeAsync returned, in {_rounds} rounds");
    }
}
