using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class RoutingTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Publish_ReachesSubscriberOnAnotherClient_WithKernelCredentials()
    {
        var subscriber = _broker.CreateClient("sub");
        var publisher = _broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("decky.d1.mutation");

        await publisher.PublishAsync("decky.d1.mutation", new Dictionary<string, object> { ["decky"] = "d1", ["n"] = 7 }, "mutation");

        var evt = await Receive.NextAsync(sub);
        Assert.Equal("decky.d1.mutation", evt.Topic);
        Assert.Equal("mutation", evt.Type);
        Assert.True(EventId.IsValid(evt.Id));
        Assert.Equal("d1", evt.ReadPayloadAsDictionary()["decky"]);
        Assert.Equal(Environment.ProcessId, evt.Publisher?.Pid);
        Assert.Equal(1, sub.Received);
    }

    [Fact]
    public async Task Wildcards_StarMatchesOneToken_TailMatchesOneOrMore()
    {
        var client = _broker.CreateClient();
        await using var star = await client.SubscribeAsync("topology.*.status");
        await using var tail = await client.SubscribeAsync("topology.>");

        await client.PublishAsync("topology.t1.status", new { state = "up" });
        await client.PublishAsync("topology.t1.mutation.applied", new { op = "x" });

        Assert.Equal("topology.t1.status", (await Receive.NextAsync(star)).Topic);
        var both = await Receive.TakeAsync(tail, 2);
        Assert.Equal(["topology.t1.status", "topology.t1.mutation.applied"], both.Select(e => e.Topic));
    }

    [Fact]
    public async Task OneConnection_TwoMatchingSubscriptions_EachGetsTheEvent()
    {
        var client = _broker.CreateClient();
        await using var a = await client.SubscribeAsync("x.y");
        await using var b = await client.SubscribeAsync("x.*");

        await client.PublishAsync("x.y", new { n = 1 });

        var first = await Receive.NextAsync(a);
        var second = await Receive.NextAsync(b);
        Assert.Same(first, second); // one EVT carrying both sids, decoded once
    }

    [Fact]
    public async Task EchoOff_ClientDoesNotReceiveItsOwnPublishes()
    {
        var quiet = _broker.CreateClient("quiet", echo: false);
        var witness = _broker.CreateClient("witness");
        var other = _broker.CreateClient("other");
        await using var quietSub = await quiet.SubscribeAsync("echo.>");
        await using var witnessSub = await witness.SubscribeAsync("echo.>");

        await quiet.PublishAsync("echo.own", new { n = 1 });
        // The broker routes one publish to every match at once: once the witness has it, so would quiet.
        Assert.Equal("echo.own", (await Receive.NextAsync(witnessSub)).Topic);
        await other.PublishAsync("echo.other", new { n = 2 });

        Assert.Equal("echo.other", (await Receive.NextAsync(quietSub)).Topic);
        Assert.Equal(1, quietSub.Received);
    }

    [Fact]
    public async Task Subscribe_IsLiveOnReturn_ForPublishesFromOtherClients()
    {
        var publisher = _broker.CreateClient("pub");
        await publisher.PublishAsync("warm.up", new { });
        for (var i = 0; i < 20; i++)
        {
            var subscriber = _broker.CreateClient($"sub{i}");
            await using var sub = await subscriber.SubscribeAsync($"live.{i}");

            await publisher.PublishAsync($"live.{i}", new { i });

            Assert.Equal($"live.{i}", (await Receive.NextAsync(sub)).Topic);
        }
    }

    [Fact]
    public async Task Unsubscribe_StopsDeliveryToThatSubscriptionOnly()
    {
        var client = _broker.CreateClient();
        var gone = await client.SubscribeAsync("u.t");
        await using var kept = await client.SubscribeAsync("u.t");
        await gone.DisposeAsync();

        await client.PublishAsync("u.t", new { });

        await Receive.NextAsync(kept);
        Assert.Equal(0, gone.Received);
    }

    [Fact]
    public async Task Order_FromOnePublisher_IsKept()
    {
        var subscriber = _broker.CreateClient("sub");
        var publisher = _broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("seq.>");

        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync($"seq.{i % 3}", new { i });
        }

        var events = await Receive.TakeAsync(sub, 200);
        Assert.Equal(Enumerable.Range(0, 200), events.Select(e => Convert.ToInt32(e.ReadPayloadAsDictionary()["i"], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Stats_ReportTotalsAndOneRowPerConnection()
    {
        var subscriber = _broker.CreateClient("stats-sub");
        var publisher = _broker.CreateClient("stats-pub");
        await using var sub = await subscriber.SubscribeAsync("s.>");
        await publisher.PublishAsync("s.1", new { });
        await Receive.NextAsync(sub);

        var stats = await publisher.GetBrokerStatsAsync();

        Assert.Equal(Environment.ProcessId, stats.BrokerPid);
        Assert.Equal(1, stats.Published);
        Assert.Equal(1, stats.Delivered);
        var subRow = Assert.Single(stats.Connections, c => c.Name == "stats-sub");
        var pubRow = Assert.Single(stats.Connections, c => c.Name == "stats-pub");
        Assert.Equal((1, 1L, Environment.ProcessId), (subRow.Subscriptions, subRow.Delivered, subRow.Pid));
        Assert.Equal((0, 1L), (pubRow.Subscriptions, pubRow.Published));
    }
}
