using Decnet.Bus.Codec;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// What a nats-server with its defaults refuses (subjects over max_control_line, messages over max_payload) is refused
/// by the transport with an <see cref="ArgumentException"/> before it costs the connection, and counts no loss.
/// </summary>
[RequiresNatsServer]
public sealed class NatsBusLimitTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Publish_TopicLongerThanANatsSubject_IsRefused_AndTheConnectionCarriesOn()
    {
        // Options handed over in code skip the start-time check that bounds MaxTopicBytes for NATS.
        await using var bus = new NatsBus(LongTopicsAllowed());
        await using var subscription = await bus.SubscribeAsync("limit.pub.>");
        var topic = "limit.pub." + new string('t', DecnetBusNatsOptions.MaxSubjectBytes);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync(topic, new { n = 1 }));
        await bus.PublishAsync("limit.pub.end", new { n = 2 });

        Assert.Contains($"{DecnetBusNatsOptions.MaxSubjectBytes} UTF-8 bytes a NATS subject", error.Message, StringComparison.Ordinal);
        Assert.Equal("limit.pub.end", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(0, bus.GetStats().Disconnects);
        Assert.Equal(new BusCounters(1, 1, 0), bus.Counters);
    }

    [Fact]
    public async Task Subscribe_PatternLongerThanANatsSubject_IsRefused_AndTheConnectionCarriesOn()
    {
        await using var bus = new NatsBus(LongTopicsAllowed());
        await using var other = await bus.SubscribeAsync("limit.sub.other");
        var pattern = "limit.sub." + new string('p', DecnetBusNatsOptions.MaxSubjectBytes) + ".>";

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await bus.SubscribeAsync(pattern));
        Assert.True(await bus.FlushAsync(_bound));

        Assert.Contains($"{DecnetBusNatsOptions.MaxSubjectBytes} UTF-8 bytes a NATS subject", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bus.GetStats().Disconnects);
        Assert.Equal(0, bus.GetStats().ServerErrors);
        Assert.Equal(1, bus.GetStats().Subscriptions);
    }

    [Fact]
    public async Task TopicAndPattern_OfExactlyMaxSubjectBytes_AreDelivered_ByADefaultServer()
    {
        await using var bus = new NatsBus(LongTopicsAllowed());
        var topic = "limit.max." + new string('m', DecnetBusNatsOptions.MaxSubjectBytes - "limit.max.".Length);
        await using var subscription = await bus.SubscribeAsync(topic);

        await bus.PublishAsync(topic, new { n = 1 });

        Assert.Equal(topic, (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(0, bus.GetStats().Disconnects);
    }

    [Fact]
    public async Task Publish_EnvelopeUnderMaxPayloadThatPassesItWithItsHeaders_IsRefused_NotDropped()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(fixture.Server));
        Assert.True(await bus.WaitForConnectionAsync(_bound));
        await using var subscription = await bus.SubscribeAsync("limit.big.>");
        var maxPayload = (int)bus.GetStats().MaxPayload;

        // The body alone fits max_payload by 16 bytes; the claimed-publisher headers (about 90 bytes) do not.
        var payload = PayloadForEnvelope("limit.big.one", maxPayload - 16);
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync("limit.big.one", payload));
        await bus.PublishAsync("limit.big.end", new { n = 2 });

        Assert.Contains($"at most {maxPayload}", error.Message, StringComparison.Ordinal);
        Assert.Equal("limit.big.end", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(new BusCounters(1, 1, 0), bus.Counters);
        Assert.Equal(0, bus.GetStats().ServerErrors);
        Assert.Equal(0, bus.GetStats().Disconnects);
    }

    private DecnetBusOptions LongTopicsAllowed()
    {
        var options = NatsTestOptions.For(fixture.Server);
        options.MaxTopicBytes = 8192;
        return options;
    }

    /// <summary>A payload whose envelope on <paramref name="topic"/> is within 8 bytes under <paramref name="envelopeBytes"/>.</summary>
    private static Dictionary<string, object?> PayloadForEnvelope(string topic, int envelopeBytes)
    {
        var filler = 0;
        for (var i = 0; i < 4; i++)
        {
            filler += envelopeBytes - EnvelopeBytes(topic, filler);
        }

        Assert.InRange(EnvelopeBytes(topic, filler), envelopeBytes - 8, envelopeBytes);
        return Payload(filler);
    }

    private static int EnvelopeBytes(string topic, int filler)
        => BusCodec.SerializeEnvelope(new BusEvent(topic, BusCodec.SerializePayload(Payload(filler)), null, id: null, 1.0)).Length;

    private static Dictionary<string, object?> Payload(int filler) => new() { ["s"] = new string('x', filler) };
}
