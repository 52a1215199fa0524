using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>A Python (text-protocol) connection's frames as the broker handles them, sent raw (docs/text-protocol.md §3).</summary>
public sealed class TextConnectionTests
{
    [Fact]
    public async Task AnEmptyPubBody_PublishesAnEmptyPayload_WithAnEmptyType()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("e.>");
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        await python.SendAsync("PUB e.empty");
        await python.SendAsync("PUB e.after", "{}"u8.ToArray());

        var evt = await Receive.NextAsync(sub);
        Assert.Equal(("e.empty", string.Empty), (evt.Topic, evt.Type));
        Assert.True(EventId.IsValid(evt.Id), evt.Id);
        Assert.Empty(evt.ReadPayloadAsDictionary());
        Assert.Equal("e.after", (await Receive.NextAsync(sub)).Topic);
        Assert.False(broker.Server.GetStats().Rejections.ContainsKey("untranslatable"));
    }
}
