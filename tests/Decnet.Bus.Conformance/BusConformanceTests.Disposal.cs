namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    private static readonly TimeSpan _promptDisposal = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task SubscriptionDispose_CompletesWaitingIteratorWithin2s_AndIsIdempotent()
    {
        var bus = await NewBusAsync();
        var subscription = await bus.SubscribeAsync(T("disp.sub"));
        var (moveNext, enumerator) = StartPendingRead(subscription);
        Assert.False(moveNext.IsCompleted);

        await subscription.DisposeAsync();

        Assert.False(await moveNext.WaitAsync(_promptDisposal));
        await enumerator.DisposeAsync();
        await subscription.DisposeAsync();
        await foreach (var unexpected in subscription)
        {
            Assert.Fail($"a disposed subscription yielded {unexpected}");
        }
    }

    [Fact]
    public async Task SubscriptionDispose_StopsDelivery_OtherSubscriptionsKeepReceiving()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var gone = await subscriber.SubscribeAsync(T("disp.keep"));
        await using var kept = await subscriber.SubscribeAsync(T("disp.keep"));

        await gone.DisposeAsync();
        await publisher.PublishAsync(T("disp.keep"), new { n = 1 });

        Assert.Equal(T("disp.keep"), (await ReadOneAsync(kept)).Topic);
        Assert.Equal(0, gone.Received);
    }

    [Fact]
    public async Task BusDispose_CompletesAllWaitingIteratorsWithin2s_AndIsIdempotent()
    {
        var bus = await NewBusAsync();
        var first = await bus.SubscribeAsync(T("disp.bus.a"));
        var second = await bus.SubscribeAsync(T("disp.bus.>"));
        var (firstMoveNext, firstEnumerator) = StartPendingRead(first);
        var (secondMoveNext, secondEnumerator) = StartPendingRead(second);

        await bus.DisposeAsync();

        Assert.False(await firstMoveNext.WaitAsync(_promptDisposal));
        Assert.False(await secondMoveNext.WaitAsync(_promptDisposal));
        await firstEnumerator.DisposeAsync();
        await secondEnumerator.DisposeAsync();
        await bus.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Publish_AfterBusDispose_ThrowsObjectDisposedException()
    {
        var bus = await NewBusAsync();
        await bus.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.PublishAsync(T("disp.pub"), new { n = 1 }));
    }

    [Fact]
    public async Task Subscribe_AfterBusDispose_ThrowsObjectDisposedException()
    {
        var bus = await NewBusAsync();
        await bus.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.SubscribeAsync(T("disp.sub")));
    }
}
