namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    internal const int OrderEvents = 10_000;
    internal const int ConcurrentPublishers = 8;

    [Fact]
    public Task Order_OnePublisher_10kEvents_ArriveInPublishOrder()
        => AssertOnePublisherOrderAsync(T("order"), new SubscriptionOptions(), captureContext: true);

    [Fact]
    public async Task ConcurrentPublishers_8x10k_LargeQueue_NoLossAndPerPublisherOrder()
    {
        const int Total = ConcurrentPublishers * OrderEvents;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync(new ConformanceBusOptions { QueueSize = 2 * Total });
        await using var subscription = await subscriber.SubscribeAsync(T("conc.>"), new SubscriptionOptions { QueueSize = 2 * Total });

        var reading = ReadAsync(subscription, Total);
        var publishers = Enumerable.Range(0, ConcurrentPublishers).Select(p => Task.Run(async () =>
        {
            var topic = T($"conc.p{p}");
            for (var i = 0; i < OrderEvents; i++)
            {
                await publisher.PublishAsync(topic, new SequencePayload { Publisher = p, Seq = i });
            }
        }));
        await Task.WhenAll(publishers).WaitAsync(Bound);

        var events = await reading;
        var next = new int[ConcurrentPublishers];
        foreach (var payload in events.Select(e => e.ReadPayload<SequencePayload>()))
        {
            Assert.Equal(next[payload.Publisher], payload.Seq);
            next[payload.Publisher]++;
        }

        Assert.All(next, n => Assert.Equal(OrderEvents, n));
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(Total, subscription.Received);
    }

    /// <summary>One publisher's <see cref="OrderEvents"/> events arrive in publish order, none dropped (see <see cref="ReadAsync"/>).</summary>
    private async Task AssertOnePublisherOrderAsync(string topic, SubscriptionOptions options, bool captureContext)
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync(new ConformanceBusOptions { QueueSize = 2 * OrderEvents });
        await using var subscription = await subscriber.SubscribeAsync(topic, options with { QueueSize = 2 * OrderEvents });

        var reading = ReadAsync(subscription, OrderEvents, captureContext);
        for (var i = 0; i < OrderEvents; i++)
        {
            await publisher.PublishAsync(topic, new SequencePayload { Seq = i });
        }

        var sequence = (await reading).Select(e => e.ReadPayload<SequencePayload>().Seq);
        Assert.Equal(Enumerable.Range(0, OrderEvents), sequence);
        Assert.Equal(0, subscription.Dropped);
    }
}
