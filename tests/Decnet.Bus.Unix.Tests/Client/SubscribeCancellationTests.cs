using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Cancelling <see cref="UnixSocketBus.SubscribeAsync"/> removes the subscription, at the broker too.</summary>
public sealed class SubscribeCancellationTests
{
    [Fact]
    public async Task CancellingAfterSubWentOut_SendsUnsub_AndForgetsTheSubscription()
    {
        using var dir = new TempSocketDir();
        await using var broker = new SilentBroker(dir.SocketPath, answerPings: true);
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        using var cancel = new CancellationTokenSource();

        // The silent broker never answers SUB, so the subscriber is still waiting when it is cancelled.
        var subscribing = bus.SubscribeAsync("wanted.>", cancellationToken: cancel.Token).AsTask();
        var sub = await broker.NextAsync(FrameKind.Sub);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscribing);
        Assert.Equal(sub.Sid, (await broker.NextAsync(FrameKind.Unsub)).Sid);
        Assert.Equal(0, bus.SubscriptionCount);
    }

    [Fact]
    public async Task CancelledBeforeAConnection_IsNeverSubscribedAtTheBroker()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("cancelled");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await bus.SubscribeAsync("never.>", cancellationToken: cancelled.Token));

        // Generation 1 means the first connection is up and every kept subscription was re-sent and acknowledged.
        await bus.WaitForGenerationAsync(1, new CancellationTokenSource(TestBroker.Bound).Token);
        Assert.Equal(0, bus.SubscriptionCount);
        Assert.Single((await bus.GetBrokerStatsAsync()).Connections, c => c.Name == "cancelled" && c.Subscriptions == 0);
    }
}
