using Decnet.Bus.Codec;
using Decnet.Bus.Nats.Tests.Support;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Tests;

/// <summary>What goes over NATS: subject = topic, the map envelope as body, the claimed publisher in headers.</summary>
[RequiresNatsServer]
public sealed class NatsWireTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Publish_SendsTheEnvelopeOnTheTopicSubject_WithClaimedPublisherHeaders()
    {
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        await using var sub = await raw.SubscribeCoreAsync<byte[]>("wire.envelope");
        await raw.PingAsync();
        await using var bus = new NatsBus(NatsTestOptions.For(fixture.Server));

        await bus.PublishAsync("wire.envelope", new Dictionary<string, object?> { ["k"] = "v" }, type: "applied");
        using var timeout = new CancellationTokenSource(_bound);
        var msg = await sub.Msgs.ReadAsync(timeout.Token);

        Assert.Equal("wire.envelope", msg.Subject);
        var evt = BusCodec.DeserializeEnvelope(msg.Data);
        Assert.Equal("wire.envelope", evt.Topic);
        Assert.Equal("applied", evt.Type);
        Assert.Equal("v", evt.ReadPayloadAsDictionary()["k"]);
        Assert.NotNull(msg.Headers);
        Assert.Equal($"pid={Environment.ProcessId}", msg.Headers["Decnet-Claimed-Publisher"].ToString().Split(' ')[0]);
        Assert.False(string.IsNullOrEmpty(msg.Headers["Decnet-Claimed-Host"].ToString()));
    }

    [Fact]
    public async Task Receive_NotAnEnvelope_IsCountedAsRejected_AndLaterEventsStillArrive()
    {
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        await using var bus = new NatsBus(NatsTestOptions.For(fixture.Server));
        await using var subscription = await bus.SubscribeAsync("wire.bad.>");

        await raw.PublishAsync("wire.bad.garbage", new byte[] { 0xc1, 0x00, 0x01 });
        await raw.PublishAsync("wire.bad.notmap", new byte[] { 0x2a });
        await raw.PingAsync();
        await bus.PublishAsync("wire.bad.good", new { n = 1 });

        using var timeout = new CancellationTokenSource(_bound);
        await using var events = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("wire.bad.good", events.Current.Topic);
        Assert.Equal(2, bus.GetStats().Rejected);
        Assert.Null(events.Current.Publisher);
    }
}
