namespace Decnet.Bus.Conformance;

/// <summary>
/// Each delivered event tells its subscription what it lost since the previous delivery
/// (<see cref="BusEvent.MissedBefore"/>), so a consumer can re-read the database at once (docs/Service-Bus.md,
/// "Missed events"). Every loss is reported once, on a later event, never on an earlier one.
/// </summary>
public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task MissedBefore_SlowSubscriber_FirstEventAfterDropsReportsExactlyTheDropped()
    {
        const int Published = 100;
        const int QueueSize = 16;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var slow = await subscriber.SubscribeAsync(T("miss"), new SubscriptionOptions { QueueSize = QueueSize });
        await using var roomy = await subscriber.SubscribeAsync(T("miss"), new SubscriptionOptions { QueueSize = Published });

        for (var i = 0; i < Published; i++)
        {
            await publisher.PublishAsync(T("miss"), new SequencePayload { Seq = i });
        }

        await EventuallyAsync(publisher, subscriber, () => slow.Received == Published && roomy.Received == Published, () => $"slow.Received={slow.Received} roomy.Received={roomy.Received}");
        var kept = await ReadAsync(slow, QueueSize);

        Assert.Equal([Published - QueueSize, .. Enumerable.Repeat(0L, QueueSize - 1)], kept.Select(e => e.MissedBefore));
        Assert.Equal(Published - QueueSize, kept[0].ReadPayload<SequencePayload>().Seq);
        Assert.Equal(Published, kept.Sum(e => e.MissedBefore) + kept.Count);
        Assert.All(kept, e => Assert.False(e.MayHaveMissed));

        // The same events reached a subscription that lost nothing: it reports nothing.
        var all = await ReadAsync(roomy, Published);
        Assert.All(all, e => Assert.Equal(0, e.MissedBefore));
        Assert.All(all, e => Assert.False(e.MayHaveMissed));
    }

    [Fact]
    public async Task MissedBefore_RoundsOfDropsAndReads_EachRoundReportsItsOwnLosses()
    {
        const int QueueSize = 4;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var sub = await subscriber.SubscribeAsync(T("rounds"), new SubscriptionOptions { QueueSize = QueueSize });
        var delivered = new List<BusEvent>();
        var seq = 0;

        foreach (var count in new[] { 10, 3, 20, 4, 5, 1 })
        {
            for (var i = 0; i < count; i++)
            {
                await publisher.PublishAsync(T("rounds"), new SequencePayload { Seq = seq++ });
            }

            var published = seq;
            await EventuallyAsync(publisher, subscriber, () => sub.Received == published, () => $"Received={sub.Received} of {published}");
            var batch = await ReadAsync(sub, Math.Min(count, QueueSize));

            Assert.Equal(Math.Max(0, count - QueueSize), batch[0].MissedBefore);
            Assert.All(batch.Skip(1), e => Assert.Equal(0, e.MissedBefore));
            Assert.Equal(seq - batch.Count, batch[0].ReadPayload<SequencePayload>().Seq);
            delivered.AddRange(batch);
        }

        Assert.Equal(seq, delivered.Sum(e => e.MissedBefore) + delivered.Count);
        Assert.Equal(sub.Dropped, delivered.Sum(e => e.MissedBefore));
    }

    [Fact]
    public async Task MissedBefore_ReadingWhilePublishing_NeverEarly_AndLossesPlusDeliveredEqualPublished()
    {
        const int Published = 5_000;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var sub = await subscriber.SubscribeAsync(T("race.>"), new SubscriptionOptions { QueueSize = 8 });
        var delivered = new List<BusEvent>();

        // The newest event is never dropped, so the reader always sees the last one.
        var reading = Task.Run(async () =>
        {
            await using var events = sub.GetAsyncEnumerator();
            while (await events.MoveNextAsync())
            {
                delivered.Add(events.Current);
                if (events.Current.ReadPayload<SequencePayload>().Seq == Published - 1)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < Published; i++)
        {
            await publisher.PublishAsync(T("race.data"), new SequencePayload { Seq = i });
        }

        await reading.WaitAsync(Bound);

        // A drop that raced the last read is reported on the next event: publish one more.
        await publisher.PublishAsync(T("race.tail"), new SequencePayload { Seq = Published });
        delivered.Add(await ReadOneAsync(sub));

        long reported = 0;
        for (var i = 0; i < delivered.Count; i++)
        {
            reported += delivered[i].MissedBefore;
            var lostBefore = delivered[i].ReadPayload<SequencePayload>().Seq - i;
            Assert.True(reported <= lostBefore, $"event {i} (seq {lostBefore + i}) reports {reported} losses so far, only {lostBefore} happened before it");
        }

        Assert.Equal(Published + 1, reported + delivered.Count);
    }

    [Fact]
    public async Task MissedBefore_LosslessDelivery_ReportsNothing()
    {
        var bus = await NewBusAsync();
        await using var sub = await bus.SubscribeAsync(T("clean"));

        await bus.PublishAsync(T("clean"), new SequencePayload { Seq = 1 });
        var evt = await ReadOneAsync(sub);

        Assert.Equal(0, evt.MissedBefore);
        Assert.False(evt.MayHaveMissed);
    }
}
