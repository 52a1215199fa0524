namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Counters_PublishedDeliveredDropped_AddUpAcrossClientsAndSubscriptions()
    {
        const int Events = 100;
        const int SmallQueue = 16;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var small = await subscriber.SubscribeAsync(T("cnt.>"), new SubscriptionOptions { QueueSize = SmallQueue });
        await using var large = await subscriber.SubscribeAsync(T("cnt.>"), new SubscriptionOptions { QueueSize = 4 * Events });

        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync(T("cnt.e"), new SequencePayload { Seq = i });
        }

        await publisher.PublishAsync(T("cnt.marker"), new { done = true });
        Assert.Equal(Events, (await ReadUntilAsync(large, T("cnt.marker"))).Count);
        await EventuallyAsync(publisher, subscriber, () => small.Received == Events + 1, () => $"small Received={small.Received}");

        const int EachReceived = Events + 1;
        Assert.Equal(EachReceived, large.Received);
        Assert.Equal(0, large.Dropped);
        Assert.Equal(EachReceived, small.Received);
        Assert.Equal(EachReceived - SmallQueue, small.Dropped);

        var publisherCounters = publisher.Counters;
        var probeMarkers = publisherCounters.Published - EachReceived;
        Assert.True(probeMarkers >= 1, $"Published={publisherCounters.Published}");
        Assert.Equal(0, publisherCounters.Delivered);
        Assert.Equal(0, publisherCounters.Dropped);

        // Each event went into both subscriptions; each probe marker into EventuallyAsync's probe subscription.
        var subscriberCounters = subscriber.Counters;
        Assert.Equal(0, subscriberCounters.Published);
        Assert.Equal(small.Received + large.Received + probeMarkers, subscriberCounters.Delivered);
        Assert.Equal(small.Dropped + large.Dropped, subscriberCounters.Dropped);
    }

    [Fact]
    public async Task Counters_EchoDelivery_CountsOnTheSameClient()
    {
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("cnt.echo"), new SubscriptionOptions { QueueSize = 2 });

        for (var i = 0; i < 5; i++)
        {
            await bus.PublishAsync(T("cnt.echo"), new SequencePayload { Seq = i });
        }

        await bus.PublishAsync(T("cnt.echo"), new SequencePayload { Seq = 5 }, type: "last");
        await EventuallyAsync(bus, bus, () => subscription.Received == 6, () => $"Received={subscription.Received}");

        var counters = bus.Counters;
        Assert.Equal(4, subscription.Dropped);
        Assert.Equal(4, counters.Dropped);

        // Every publish (six events plus the probe markers) landed in exactly one queue of this same client.
        Assert.True(counters.Published > 6, $"Published={counters.Published}");
        Assert.Equal(counters.Published, counters.Delivered);
    }
}
