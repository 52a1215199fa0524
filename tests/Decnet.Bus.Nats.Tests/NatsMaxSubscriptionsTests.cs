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
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync("max_subscriptions: 1\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Subscribe_OverTheServersMaxSubscriptions_Throws_AndIsNeitherKeptNorSentAgainAfterAReconnect()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(_server, "maxsubs"));
        await using var first = await bus.SubscribeAsync("maxsubs.a.>");

        await RefusedSubscriptionCheck.AssertRefusedAsync(_server, bus, first, "maxsubs.a.after", "maxsubs.b.>", 5, "maximum subscriptions exceeded");
    }
}
