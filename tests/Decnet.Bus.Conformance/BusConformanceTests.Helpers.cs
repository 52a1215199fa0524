namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    /// <summary>
    /// Reads exactly <paramref name="count"/> events, failing after <see cref="Bound"/>; with
    /// <paramref name="captureContext"/> false each wait goes on where the transport resumes it (inline delivery).
    /// </summary>
    protected static async Task<List<BusEvent>> ReadAsync(IBusSubscription subscription, int count, bool captureContext = true)
    {
        var events = new List<BusEvent>(count);
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            await using var enumerator = subscription.GetAsyncEnumerator(timeout.Token);
            while (events.Count < count)
            {
                Assert.True(await enumerator.MoveNextAsync().ConfigureAwait(captureContext), $"subscription \"{subscription.Pattern}\" ended after {events.Count} of {count} events");
                events.Add(enumerator.Current);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"subscription \"{subscription.Pattern}\" got {events.Count} of {count} events within {Bound}");
        }

        return events;
    }

    /// <summary>Reads one event, failing after <see cref="Bound"/>.</summary>
    protected static async Task<BusEvent> ReadOneAsync(IBusSubscription subscription) => (await ReadAsync(subscription, 1))[0];

    /// <summary>Reads until an event on <paramref name="markerTopic"/> arrives; returns the events before it.</summary>
    protected static async Task<List<BusEvent>> ReadUntilAsync(IBusSubscription subscription, string markerTopic)
    {
        var events = new List<BusEvent>();
        while (true)
        {
            var evt = await ReadOneAsync(subscription);
            if (evt.Topic == markerTopic)
            {
                return events;
            }

            events.Add(evt);
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds without sleeping: each round publishes a marker from
    /// <paramref name="publisher"/> and awaits it on a probe subscription of <paramref name="observer"/>, so every
    /// earlier publish of that publisher has reached the observer before the condition is checked again.
    /// </summary>
    protected async Task EventuallyAsync(IBus publisher, IBus observer, Func<bool> condition, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var probeTopic = T("probe." + EventId.NewId()[..8]);
        await using var probe = await observer.SubscribeAsync(probeTopic);
        for (var round = 0; round < 50; round++)
        {
            await publisher.PublishAsync(probeTopic, new { round });
            await ReadOneAsync(probe);
            if (condition())
            {
                return;
            }
        }

        Assert.Fail($"condition not reached after 50 marker round trips: {describe()}");
    }

    /// <summary>Starts a read that stays pending until an event arrives or the subscription completes.</summary>
    protected static (Task<bool> MoveNext, IAsyncEnumerator<BusEvent> Enumerator) StartPendingRead(IBusSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var enumerator = subscription.GetAsyncEnumerator();
        return (enumerator.MoveNextAsync().AsTask(), enumerator);
    }
}
