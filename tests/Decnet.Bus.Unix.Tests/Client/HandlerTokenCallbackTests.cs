using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A handler's code registered on its token runs when the subscription or the bus is disposed: a callback that throws
/// is the handler's failure, and must not break either disposal (UNSUB, forgetting the subscription, disconnecting).
/// </summary>
public sealed class HandlerTokenCallbackTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThrowingTokenCallback_SubscriptionDispose_DoesNotThrow_AndUnsubscribes(bool inline)
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var subscription = await SubscribeThrowingOnCancelAsync(broker, subscriber, inline);

        await subscription.DisposeAsync();

        Assert.Equal(0, subscriber.SubscriptionCount);
        var stats = await subscriber.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        Assert.Equal(0, Assert.Single(stats.Connections, c => c.Name == "sub").Subscriptions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThrowingTokenCallback_BusDispose_DoesNotThrow_AndDisconnects(bool inline)
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        await SubscribeThrowingOnCancelAsync(broker, subscriber, inline);

        await subscriber.DisposeAsync().AsTask().WaitAsync(TestBroker.Bound);

        Assert.Equal(0, subscriber.SubscriptionCount);
        Assert.False(subscriber.IsConnected);
    }

    /// <summary>
    /// Subscribes a handler that registers a throwing callback on its token, then waits for that token; returns once an
    /// event published to it has it waiting.
    /// </summary>
    private static async Task<IBusHandlerSubscription> SubscribeThrowingOnCancelAsync(TestBroker broker, UnixSocketBus bus, bool inline)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await bus.SubscribeAsync(
            "callback.>",
            async (_, ct) =>
            {
                ct.Register(static () => throw new InvalidOperationException("a handler's token callback failed"));
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            },
            new SubscriptionOptions { InlineDelivery = inline });
        await broker.CreateClient("pub").PublishAsync("callback.x", new { n = 1 });
        await entered.Task.WaitAsync(TestBroker.Bound);
        return subscription;
    }
}
