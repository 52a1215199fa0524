using Decnet.Bus.Codec;
using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;
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

    [Fact]
    public async Task Receive_TypeWithAControlCharacter_IsRejectedLikeAnyMalformedEnvelope_LoggedEscaped()
    {
        // A type is one line of text (docs/wire-protocol.md §3): delivered, it reached a bridge's local broker, which
        // refuses such a PUB by closing the bridge's whole connection.
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)));
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        await using var bus = new NatsBus(NatsTestOptions.For(fixture.Server), logging);
        await using var subscription = await bus.SubscribeAsync("wire.type.>");

        await raw.PublishAsync("wire.type.lf", Envelope("wire.type.lf", "a\nb"));
        await raw.PublishAsync("wire.type.esc", Envelope("wire.type.esc", "\u001b[2J\u001b[31mred"));
        await raw.PublishAsync("wire.type.good", Envelope("wire.type.good", "good"));

        using var timeout = new CancellationTokenSource(_bound);
        await using var events = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(("wire.type.good", "good"), (events.Current.Topic, events.Current.Type));
        Assert.Equal(2, bus.GetStats().Rejected);
        await log.WaitForLinesAsync("contains a control character", 2);
        Assert.Contains(log.Lines, l => l.Contains("wire.type.lf", StringComparison.Ordinal) && l.Contains("a\\u000Ab", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("wire.type.esc", StringComparison.Ordinal) && l.Contains("\\u001B[2J", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, UntrustedText.NeedsEscaping);
    }

    private static byte[] Envelope(string topic, string type) => BusCodec.SerializeEnvelope(new BusEvent(topic, BusCodec.EmptyMap, type, null, 1.0));
}
