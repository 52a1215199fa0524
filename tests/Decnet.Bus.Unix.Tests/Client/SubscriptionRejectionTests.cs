using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A refused subscription throws <see cref="BusSubscriptionRejectedException"/> once, is not kept or retried, and
/// costs no reconnect: the reconnect storm of issue 13 (closed, reconnected, re-subscribed, closed again) cannot start.
/// </summary>
public sealed class SubscriptionRejectionTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
        => _broker = await TestBroker.StartAsync(o =>
        {
            o.MaxSubscriptionsPerConnection = 2;
            o.MaxPatternTokens = 4;
        });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task SubscribingOverTheLimit_ThrowsOnce_WithoutSending_NoReconnect_OthersKeepReceiving()
    {
        var client = _broker.CreateClient("many");
        await using var first = await client.SubscribeAsync("one.>");
        await using var second = await client.SubscribeAsync("two.>");
        await client.WaitForGenerationAsync(1, new CancellationTokenSource(TestBroker.Bound).Token);
        var generation = client.Generation;

        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await client.SubscribeAsync("three.>"));

        Assert.Equal((int)BusErrorCode.TooManySubscriptions, error.Code);
        Assert.Equal("three.>", error.Pattern);
        await client.PublishAsync("one.x", new { });
        await client.PublishAsync("two.x", new { });
        Assert.Equal("one.x", (await Receive.NextAsync(first)).Topic);
        Assert.Equal("two.x", (await Receive.NextAsync(second)).Topic);
        var stats = await client.GetBrokerStatsAsync();
        Assert.Empty(stats.Rejections); // enforced from WELCOME: the broker never saw the third SUB
        Assert.Equal(2, client.SubscriptionCount);
        Assert.Equal(generation, client.Generation);
        Assert.Equal((0, 0), (first.Reconnected, second.Reconnected));
    }

    [Fact]
    public async Task APatternTheBrokerRefuses_ThrowsWithItsCode_NoReconnect_AndIsNotRetried()
    {
        var client = _broker.CreateClient("tokens");
        await using var kept = await client.SubscribeAsync("kept.>");
        await client.WaitForGenerationAsync(1, new CancellationTokenSource(TestBroker.Bound).Token);
        var generation = client.Generation;

        // Five tokens: WELCOME does not carry the token limit, so only the broker can refuse it.
        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await client.SubscribeAsync("a.b.c.d.e"));

        Assert.Equal((int)BusErrorCode.InvalidPattern, error.Code);
        Assert.Equal(1, client.SubscriptionCount);
        Assert.Equal(generation, client.Generation);
        await client.PublishAsync("kept.x", new { });
        Assert.Equal("kept.x", (await Receive.NextAsync(kept)).Topic);
        Assert.Equal(1, (await client.GetBrokerStatsAsync()).Rejections.GetValueOrDefault("invalid_pattern"));

        // After a reconnect only the kept subscription is re-sent: the new broker refuses nothing.
        await _broker.RestartAsync();
        await client.WaitForGenerationAsync(generation + 1, new CancellationTokenSource(TestBroker.Bound).Token);
        Assert.Empty((await client.GetBrokerStatsAsync()).Rejections);
        Assert.Equal(1, kept.Reconnected);
    }
}
