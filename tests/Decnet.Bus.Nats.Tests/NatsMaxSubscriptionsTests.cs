using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A nats-server whose <c>max_subscriptions</c> a SUB would pass: the subscription is refused as the UNIX broker
/// refuses one over its limit (<see cref="BusSubscriptionRejectedException"/>, code 5), and is neither kept nor sent
/// again after a reconnect, though the server's <c>-ERR</c> names no subject.
/// </summary>
[RequiresNatsServer]
public sealed class NatsMaxSubscriptionsTests : IAsyncLifetime
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync("max_subscriptions: 1\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Subscribe_OverTheServersMaxSubscriptions_Throws_AndIsNeitherKeptNorSentAgainAfterAReconnect()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(_server, "maxsubs"));
        await using var first = await bus.SubscribeAsync("maxsubs.a.>");

        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await bus.SubscribeAsync("maxsubs.b.>"));

        Assert.Equal("maxsubs.b.>", error.Pattern);
        Assert.Equal(5, error.Code);
        Assert.Contains("maximum subscriptions exceeded", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, bus.GetStats().Subscriptions);
        Assert.Equal(1, bus.GetStats().ServerErrors);

        // The client re-sends the SUBs it holds when it reconnects: a refused one would be refused again.
        var closed = bus.Closed;
        await _server.RestartAsync();
        await closed.WaitAsync(_bound);
        await bus.Opened.WaitAsync(_bound);
        Assert.True(await bus.FlushAsync(_bound));
        Assert.Equal(1, bus.GetStats().ServerErrors);

        await bus.PublishAsync("maxsubs.a.after", new { n = 1 });
        Assert.Equal("maxsubs.a.after", (await Read.OneAsync(first)).Topic);
    }
}
