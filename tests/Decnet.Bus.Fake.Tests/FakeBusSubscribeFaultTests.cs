namespace Decnet.Bus.Fake.Tests;

/// <summary>
/// A subscribe FakeBus cannot make fails the task it returns, never the call, as on the other transports (the
/// conformance suite's SubscribeFaults): here, a queue size below one.
/// </summary>
public sealed class FakeBusSubscribeFaultTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task AQueueSizeBelowOne_FailsTheTask_NotTheCall(int queueSize)
    {
        await using var bus = new FakeBus();
        var options = new SubscriptionOptions { QueueSize = queueSize };

        ValueTask<IBusSubscription> enumerable = default;
        ValueTask<IBusHandlerSubscription> handled = default;
        Assert.Null(Record.Exception(() => enumerable = bus.SubscribeAsync("a.b", options)));
        Assert.Null(Record.Exception(() => handled = bus.SubscribeAsync("a.b", (_, _) => ValueTask.CompletedTask, options)));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => enumerable.AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => handled.AsTask());
    }
}
