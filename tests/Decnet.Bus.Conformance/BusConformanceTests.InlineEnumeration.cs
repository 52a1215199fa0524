namespace Decnet.Bus.Conformance;

/// <summary>
/// An enumerable subscription with <see cref="SubscriptionOptions.InlineDelivery"/> (which a transport with a receive
/// thread of its own uses to resume a waiting consumer on that thread, and others ignore) keeps the enumerable
/// semantics: per-publisher order, drop-oldest with exact counts, and the loss reported on the next event. The reads
/// capture no context, so a resumed consumer goes on where the transport resumed it.
/// </summary>
public abstract partial class BusConformanceTests
{
    private static readonly SubscriptionOptions _inlineEnumeration = new() { InlineDelivery = true };

    [Fact]
    public Task InlineEnumeration_OnePublisher_10kEvents_ArriveInPublishOrder()
        => AssertOnePublisherOrderAsync(T("iorder"), _inlineEnumeration, captureContext: false);

    [Fact]
    public async Task InlineEnumeration_ConsumerStopsAfterOneEvent_QueueOf16_DropsOldestCountsExactlyAndReportsTheLoss()
    {
        const int QueueSize = 16;
        const int Later = 100;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T("idrop"), _inlineEnumeration with { QueueSize = QueueSize });

        // One event reaches a waiting consumer (resumed inline where the transport does that); then nobody reads.
        var first = ReadAsync(subscription, 1, captureContext: false);
        await publisher.PublishAsync(T("idrop"), new SequencePayload { Seq = 0 });
        Assert.Equal(0, (await first)[0].ReadPayload<SequencePayload>().Seq);

        for (var i = 1; i <= Later; i++)
        {
            await publisher.PublishAsync(T("idrop"), new SequencePayload { Seq = i });
        }

        await EventuallyAsync(publisher, subscriber, () => subscription.Received == Later + 1, () => $"Received={subscription.Received} Dropped={subscription.Dropped}");
        Assert.Equal(Later - QueueSize, subscription.Dropped);

        var kept = await ReadAsync(subscription, QueueSize, captureContext: false);
        Assert.Equal(Enumerable.Range(Later - QueueSize + 1, QueueSize), kept.Select(e => e.ReadPayload<SequencePayload>().Seq));
        Assert.Equal(Later - QueueSize, kept[0].MissedBefore);
        Assert.All(kept.Skip(1), e => Assert.Equal(0, e.MissedBefore));

        // The loss was reported once: the next event, handed to a waiting consumer again, reports none.
        var next = ReadAsync(subscription, 1, captureContext: false);
        Assert.False(next.IsCompleted, "the read did not wait: an event was still queued");
        await publisher.PublishAsync(T("idrop"), new SequencePayload { Seq = Later + 1 });
        var last = (await next)[0];
        Assert.Equal(Later + 1, last.ReadPayload<SequencePayload>().Seq);
        Assert.Equal(0, last.MissedBefore);
        Assert.Equal(Later - QueueSize, subscription.Dropped);
    }
}
