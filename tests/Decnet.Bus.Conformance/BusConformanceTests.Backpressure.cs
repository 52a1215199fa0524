namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task DropOldest_UnreadQueueOf16_100Events_Drops84OldestAndKeeps16NewestInOrder()
    {
        const int Published = 100;
        const int QueueSize = 16;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var slow = await subscriber.SubscribeAsync(T("drop"), new SubscriptionOptions { QueueSize = QueueSize });

        for (var i = 0; i < Published; i++)
        {
            await publisher.PublishAsync(T("drop"), new SequencePayload { Seq = i });
        }

        await EventuallyAsync(publisher, subscriber, () => slow.Received == Published, () => $"Received={slow.Received} Dropped={slow.Dropped}");
        Assert.Equal(Published, slow.Received);
        Assert.Equal(Published - QueueSize, slow.Dropped);

        var kept = await ReadAsync(slow, QueueSize);
        Assert.Equal(Enumerable.Range(Published - QueueSize, QueueSize), kept.Select(e => e.ReadPayload<SequencePayload>().Seq));
    }

    [Fact]
    public async Task DefaultSubscriptionQueueSize_Is1024()
    {
        const int Published = SubscriptionOptions.DefaultQueueSize + 100;
        const int Chunk = 256;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var unread = await subscriber.SubscribeAsync(T("dflt"));

        // Chunks with a round trip in between keep a broker's per-connection queue (also 1024) from dropping first.
        for (var sent = 0; sent < Published;)
        {
            for (var end = Math.Min(Published, sent + Chunk); sent < end; sent++)
            {
                await publisher.PublishAsync(T("dflt"), new SequencePayload { Seq = sent });
            }

            var expected = sent;
            await EventuallyAsync(publisher, subscriber, () => unread.Received == expected, () => $"Received={unread.Received} of {expected}");
        }

        Assert.Equal(Published - SubscriptionOptions.DefaultQueueSize, unread.Dropped);
    }

    [Fact]
    public async Task SlowConsumer_DoesNotBlockPublisherOrOtherConsumers()
    {
        const int Published = 2_000;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync(new ConformanceBusOptions { QueueSize = 4 * Published });
        await using var stalled = await subscriber.SubscribeAsync(T("slow"), new SubscriptionOptions { QueueSize = 1 });
        await using var healthy = await subscriber.SubscribeAsync(T("slow"), new SubscriptionOptions { QueueSize = 4 * Published });

        var reading = ReadAsync(healthy, Published);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < Published; i++)
            {
                await publisher.PublishAsync(T("slow"), new SequencePayload { Seq = i });
            }
        });

        await publishing.WaitAsync(Bound);
        Assert.Equal(Enumerable.Range(0, Published), (await reading).Select(e => e.ReadPayload<SequencePayload>().Seq));
        await EventuallyAsync(publisher, subscriber, () => stalled.Received == Published, () => $"Received={stalled.Received}");
        Assert.Equal(Published - 1, stalled.Dropped);
    }
}
