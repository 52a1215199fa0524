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

    [Fact]
    public async Task APubBodyThatIsNotUtf8_EndsTheConnectionAsMalformed()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(logger: log);
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        byte[] body = [.. "{\"payload\":{\"x\":\""u8, 0xFF, .. "\"}}"u8];
        await python.SendAsync("PUB u.x", body);

        await python.AssertClosedWithoutReplyAsync();
        var stats = broker.Server.GetStats();
        Assert.Equal(1, stats.Rejections.GetValueOrDefault("bad_frame"));
        Assert.False(stats.Rejections.ContainsKey("untranslatable"));
        await log.WaitForAsync(l => l.Contains("body is not UTF-8", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APublishWithoutAMessagePackForm_IsLoggedAsTheClientsPublish()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(logger: log);
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        await python.SendAsync("HELLO py-pub");
        await python.SendAsync("PUB s.x", """{"payload":{"s":"\ud800"}}"""u8.ToArray());

        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var line = await log.NextLineAsync("Dropped", timeout.Token);
        Assert.StartsWith("Dropped a publish on s.x from Python client py-pub (pid ", line, StringComparison.Ordinal);
        Assert.Contains("a string is not valid Unicode (a lone surrogate escape)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHelloName_IsCutTo128Characters_BeforeItsControlCharactersAreEscaped()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("n.>");
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        await python.SendAsync("HELLO " + new string('a', 127) + "\u0001" + new string('b', 50));
        await python.SendAsync("PUB n.x", "{}"u8.ToArray());
        await Receive.NextAsync(sub);

        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Protocol == BrokerConnectionStats.PythonProtocol);
        Assert.Equal(new string('a', 127) + "\\u0001", row.Name);
    }
}
