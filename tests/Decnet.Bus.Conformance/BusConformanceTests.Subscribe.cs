namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Subscribe_IsLiveOnReturn_PublishRightAfterFromAnotherClientIsReceived_1000Times()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();

        for (var i = 0; i < 1000; i++)
        {
            var topic = T($"live.{i}");
            await using var subscription = await subscriber.SubscribeAsync(topic);
            await publisher.PublishAsync(topic, new SequencePayload { Seq = i });

            var evt = await ReadOneAsync(subscription);
            Assert.Equal(i, evt.ReadPayload<SequencePayload>().Seq);
        }
    }

    [Fact]
    public async Task Subscribe_Cancelled_ThrowsAndLeavesNoSubscriptionBehind()
    {
        var bus = await NewBusAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await bus.SubscribeAsync(T("gone.>"), cancellationToken: cancelled.Token));

        // A live subscription on the same topic receives the event, so it was routed: the cancelled one got nothing.
        await using var live = await bus.SubscribeAsync(T("gone.>"));
        await bus.PublishAsync(T("gone.x"), new SequencePayload { Seq = 1 });
        Assert.Equal(1, (await ReadOneAsync(live)).ReadPayload<SequencePayload>().Seq);
        Assert.Equal(1, bus.Counters.Delivered);
    }
}
