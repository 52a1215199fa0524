namespace Decnet.Bus.Conformance;

/// <summary>
/// <see cref="IBus.PublishAsync{TPayload}"/>: the token cancels only the wait for local buffer space; "the event is
/// queued before any such wait, so a cancelled publish is still sent".
/// </summary>
public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Publish_WithAnAlreadyCancelledToken_IsStillSentAndCounted()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T("cancelled.>"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // Whether the caller's (skipped) wait throws is the transport's business; losing the event is not.
        var thrown = await Record.ExceptionAsync(async () => await publisher.PublishAsync(T("cancelled.event"), new { n = 1 }, cancellationToken: cancelled.Token));
        await publisher.PublishAsync(T("cancelled.marker"), new { n = 2 });

        Assert.True(thrown is null or OperationCanceledException, $"the publish threw {thrown}");
        var before = await ReadUntilAsync(subscription, T("cancelled.marker"));
        Assert.Equal([T("cancelled.event")], before.Select(e => e.Topic));
        Assert.Equal(2, publisher.Counters.Published);
    }
}
