using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A publishing connection caches its routes per topic (docs/performance-history.md, "Hot path redesign (issue 14), part
/// 2"); every SUB, UNSUB and disconnect anywhere must make the next publish route afresh.
/// </summary>
public sealed class RouteCacheTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task ASubscriptionMadeAfterATopicWasRouted_ReceivesTheNextPublish_AndAnUnsubscribedOneDoesNot()
    {
        var publisher = _broker.CreateClient("pub");
        var early = _broker.CreateClient("early");
        var late = _broker.CreateClient("late");
        var earlySub = await early.SubscribeAsync("cache.t");

        await publisher.PublishAsync("cache.t", new { n = 1 });
        Assert.Equal(1, N(await Receive.NextAsync(earlySub)));

        // The publisher's connection has routed cache.t to "early" alone; "late" subscribes afterwards.
        await using var lateSub = await late.SubscribeAsync("cache.*");
        await publisher.PublishAsync("cache.t", new { n = 2 });

        Assert.Equal(2, N(await Receive.NextAsync(lateSub)));
        Assert.Equal(2, N(await Receive.NextAsync(earlySub)));

        // "early" leaves: the route the publisher holds for cache.t must not reach it any more.
        await earlySub.DisposeAsync();
        await early.FlushAsync(); // a PING barrier: the UNSUB before it is handled
        await publisher.PublishAsync("cache.t", new { n = 3 });
        Assert.Equal(3, N(await Receive.NextAsync(lateSub)));

        var rows = (await publisher.GetBrokerStatsAsync()).Connections;
        Assert.Equal(2, rows.Single(r => r.Name == "early").Delivered);
        Assert.Equal(2, rows.Single(r => r.Name == "late").Delivered);
    }

    private static int N(BusEvent evt) => Convert.ToInt32(evt.ReadPayloadAsDictionary()["n"], System.Globalization.CultureInfo.InvariantCulture);
}
