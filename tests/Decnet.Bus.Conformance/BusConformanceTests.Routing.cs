namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Routing_LiteralPattern_DeliversOnlyThatExactTopic()
    {
        await AssertRoutedAsync(
            pattern: "lit.a",
            published: ["lit.a", "lit", "lit.a.b", "lit.ab", "lit.A", "other.a", "lit.a"],
            marker: "lit.a",
            expected: ["lit.a", "lit.a"]);
    }

    [Fact]
    public async Task Routing_StarWildcard_MatchesExactlyOneToken()
    {
        await AssertRoutedAsync(
            pattern: "star.*.x",
            published: ["star.1.x", "star.x", "star.1.2.x", "star.1.y", "star.1.x.z", "star.é.x"],
            marker: "star.marker.x",
            expected: ["star.1.x", "star.é.x"]);
    }

    [Fact]
    public async Task Routing_GreaterThanWildcard_MatchesOneOrMoreTrailingTokens()
    {
        await AssertRoutedAsync(
            pattern: "gt.>",
            published: ["gt", "gt.a", "gtx.a", "gt.a.b.c", "other.gt.a"],
            marker: "gt.marker",
            expected: ["gt.a", "gt.a.b.c"]);
    }

    [Fact]
    public async Task Routing_EventReachesEveryMatchingSubscriptionOfEveryClient()
    {
        var publisher = await NewBusAsync();
        var first = await NewBusAsync();
        var second = await NewBusAsync();
        var subscriptions = new[]
        {
            await first.SubscribeAsync(T("fan.a")),
            await first.SubscribeAsync(T("fan.*")),
            await second.SubscribeAsync(T("fan.>")),
            await second.SubscribeAsync(T("*.a")),
            await publisher.SubscribeAsync(T("fan.a")),
        };

        await publisher.PublishAsync(T("fan.a"), new { n = 1 });

        foreach (var subscription in subscriptions)
        {
            Assert.Equal(T("fan.a"), (await ReadOneAsync(subscription)).Topic);
        }
    }

    /// <summary>
    /// Publishes <paramref name="published"/> then <paramref name="marker"/> from one client and checks that a
    /// subscription of another client saw exactly <paramref name="expected"/> before the marker.
    /// </summary>
    private async Task AssertRoutedAsync(string pattern, string[] published, string marker, string[] expected)
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T(pattern));

        foreach (var topic in published)
        {
            await publisher.PublishAsync(T(topic), new { topic });
        }

        // The marker is recognised by its type, so a literal pattern can use its own topic as the marker.
        await publisher.PublishAsync(T(marker), new { marker = true }, type: "marker");
        var seen = new List<string>();
        while (true)
        {
            var evt = await ReadOneAsync(subscription);
            if (evt.Type == "marker")
            {
                break;
            }

            seen.Add(evt.Topic);
        }

        Assert.Equal(expected.Select(T), seen);
    }
}
