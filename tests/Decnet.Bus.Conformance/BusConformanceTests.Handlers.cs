using System.Threading.Channels;

namespace Decnet.Bus.Conformance;

/// <summary>
/// Handler subscriptions (<see cref="IBus.SubscribeAsync(string, BusEventHandler, SubscriptionOptions?, CancellationToken)"/>)
/// keep the enumerable subscriptions' semantics: live on return, per-publisher order, drop-oldest with exact counts,
/// losses reported on the next event, and a failing handler never stops delivery; with inline delivery
/// (<see cref="SubscriptionOptions.InlineDelivery"/>) too.
/// </summary>
public abstract partial class BusConformanceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_ReceivesEveryEventInPublishOrder_WithItsEnvelope(bool inline)
    {
        const int Published = 200;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var seen = Channel.CreateUnbounded<BusEvent>();
        await using var subscription = await subscriber.SubscribeAsync(T("h.>"), delivery => seen.Writer.TryWrite(delivery.ToEvent()), Options(inline));

        for (var i = 0; i < Published; i++)
        {
            await publisher.PublishAsync(T("h.order"), new SequencePayload { Seq = i }, "seq");
        }

        var events = await CollectAsync(seen.Reader, Published);
        Assert.Equal(Enumerable.Range(0, Published), events.Select(e => e.ReadPayload<SequencePayload>().Seq));
        Assert.All(events, e => Assert.Equal(T("h.order"), e.Topic));
        Assert.All(events, e => Assert.Equal("seq", e.Type));
        Assert.All(events, e => Assert.True(EventId.IsValid(e.Id), $"id \"{e.Id}\" is not 32 lowercase hex characters"));
        Assert.Equal(Published, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Published, subscription.Received);
        Assert.Equal(0, subscription.Dropped);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_BusyWithOneEvent_QueueOf16_DropsOldestCountsExactlyAndReportsTheLossOnTheNextEvent(bool inline)
    {
        const int QueueSize = 16;
        const int Behind = 100;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = Channel.CreateUnbounded<BusEvent>();
        await using var subscription = await subscriber.SubscribeAsync(
            T("hdrop"),
            async (delivery, _) =>
            {
                var evt = delivery.ToEvent();
                if (evt.ReadPayload<SequencePayload>().Seq == 0)
                {
                    entered.TrySetResult();
                    await release.Task;
                }

                seen.Writer.TryWrite(evt);
            },
            Options(inline) with { QueueSize = QueueSize });

        await publisher.PublishAsync(T("hdrop"), new SequencePayload { Seq = 0 });
        await entered.Task.WaitAsync(Bound);
        for (var i = 1; i <= Behind; i++)
        {
            await publisher.PublishAsync(T("hdrop"), new SequencePayload { Seq = i });
        }

        await EventuallyAsync(publisher, subscriber, () => subscription.Received == Behind + 1, () => $"Received={subscription.Received} Dropped={subscription.Dropped}");
        Assert.Equal(Behind - QueueSize, subscription.Dropped);
        release.SetResult();

        var events = await CollectAsync(seen.Reader, QueueSize + 1);
        Assert.Equal([0, .. Enumerable.Range(Behind - QueueSize + 1, QueueSize)], events.Select(e => e.ReadPayload<SequencePayload>().Seq));
        Assert.Equal([0L, Behind - QueueSize, .. Enumerable.Repeat(0L, QueueSize - 1)], events.Select(e => e.MissedBefore));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_ThatThrows_IsCounted_AndTheNextEventIsStillDelivered(bool inline)
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var seen = Channel.CreateUnbounded<int>();
        await using var subscription = await subscriber.SubscribeAsync(T("hfail"), delivery =>
        {
            var seq = delivery.ReadPayload<SequencePayload>().Seq;
            seen.Writer.TryWrite(seq);
            if (seq % 2 == 0)
            {
                throw new InvalidOperationException("handler failure under test");
            }
        }, Options(inline));

        for (var i = 0; i < 4; i++)
        {
            await publisher.PublishAsync(T("hfail"), new SequencePayload { Seq = i });
        }

        Assert.Equal([0, 1, 2, 3], await CollectAsync(seen.Reader, 4));
        Assert.Equal(2, subscription.Failed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_ManySubscriptionsOnOneClient_EachGetsExactlyItsTopics(bool inline)
    {
        const int Subscriptions = 64;
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var seen = Channel.CreateUnbounded<(int Subscription, string Topic)>();
        var subscriptions = new List<IBusHandlerSubscription>();
        for (var s = 0; s < Subscriptions; s++)
        {
            var index = s;
            subscriptions.Add(await subscriber.SubscribeAsync(T($"hmany.{s}"), delivery => seen.Writer.TryWrite((index, delivery.Topic)), Options(inline)));
        }

        for (var s = Subscriptions - 1; s >= 0; s--)
        {
            await publisher.PublishAsync(T($"hmany.{s}"), new SequencePayload { Seq = s });
        }

        var received = await CollectAsync(seen.Reader, Subscriptions);
        Assert.Equal(Enumerable.Range(0, Subscriptions), received.Select(r => r.Subscription).Order());
        Assert.All(received, r => Assert.Equal(T($"hmany.{r.Subscription}"), r.Topic));
        foreach (var subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_AfterDispose_IsNotCalledAgain(bool inline)
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var calls = 0;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await subscriber.SubscribeAsync(T("hgone"), _ =>
        {
            Interlocked.Increment(ref calls);
            first.TrySetResult();
        }, Options(inline));
        await using var marker = await subscriber.SubscribeAsync(T("hgone.marker"));
        await publisher.PublishAsync(T("hgone"), new SequencePayload());
        await first.Task.WaitAsync(Bound);

        await subscription.DisposeAsync();
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(T("hgone"), new SequencePayload { Seq = i });
        }

        await publisher.PublishAsync(T("hgone.marker"), new SequencePayload());
        await ReadOneAsync(marker);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Handler_InvalidPattern_Throws()
    {
        var bus = await NewBusAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.SubscribeAsync("a..b", _ => { }));
    }

    /// <summary>A handler subscription's options: the defaults, with or without inline delivery (which only some transports use).</summary>
    private static SubscriptionOptions Options(bool inline) => new() { InlineDelivery = inline };

    /// <summary>Reads exactly <paramref name="count"/> items a handler wrote, failing after <see cref="Bound"/>.</summary>
    private static async Task<List<TItem>> CollectAsync<TItem>(ChannelReader<TItem> reader, int count)
    {
        var items = new List<TItem>(count);
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            while (items.Count < count)
            {
                items.Add(await reader.ReadAsync(timeout.Token));
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"the handler saw {items.Count} of {count} events within {Bound}");
        }

        return items;
    }
}
