using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>
/// A Python (text-protocol) connection's frames as the broker handles them, sent raw (docs/text-protocol.md §3).
/// </summary>
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnUnknownVerb_EndsTheConnectionAtOnce_WithoutWaitingForItsLength(bool helloFirst)
    {
        // A clock that never moves: neither the handshake nor the idle timeout can end the connection, only the
        // header itself (docs/text-protocol.md §3: an unknown verb is a bad_frame).
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch), logger: log);
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);
        if (helloFirst)
        {
            await python.SendAsync("HELLO py-foo");
        }

        await python.SendAsync("FOO x\n"u8.ToArray());

        await python.AssertClosedWithoutReplyAsync();
        await log.WaitForAsync(l => l.Contains("broke the protocol (BadFrame): unknown verb \"FOO\"; disconnecting it", StringComparison.Ordinal));
        Assert.Equal(new KeyValuePair<string, long>("bad_frame", 1), Assert.Single(broker.Server.GetStats().Rejections));
    }

    [Theory]
    [InlineData("FOO", false, "\"FOO\" begins no verb")]
    [InlineData("FOO", true, "\"FOO\" begins no verb")]
    [InlineData("X", false, "\"X\" begins no verb")]
    [InlineData("FOO x", false, "unknown verb \"FOO\"")]
    public async Task BytesThatCanBeginNoHeader_EndTheConnectionAtOnce_WithoutAnLf(string bytes, bool helloFirst, string reason)
    {
        // A clock that never moves: neither the handshake nor the idle timeout can end the connection, and no LF
        // comes, only bytes no verb begins with (docs/text-protocol.md §1).
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch), logger: log);
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);
        if (helloFirst)
        {
            await python.SendAsync("HELLO py-foo");
        }

        await python.SendAsync(System.Text.Encoding.ASCII.GetBytes(bytes));

        await python.AssertClosedWithoutReplyAsync();
        await log.WaitForAsync(l => l.Contains($"broke the protocol (BadFrame): {reason}; disconnecting it", StringComparison.Ordinal));
        Assert.Equal(new KeyValuePair<string, long>("bad_frame", 1), Assert.Single(broker.Server.GetStats().Rejections));
    }

    [Theory]
    [InlineData("EVT a.b\n", false, "a client may not send EVT")]
    [InlineData("EVT a.b\n", true, "a client may not send EVT")]
    [InlineData("EVT\r\n", false, "a client may not send EVT")]
    [InlineData("EVT a.b", true, "a client may not send EVT")]
    [InlineData("EV", false, "\"EV\" begins no verb a client may send")]
    public async Task AClientsEvt_EndsItsConnectionAtTheHeader_AndNoOtherConnection(string bytes, bool helloFirst, string reason)
    {
        // EVT is the broker's verb (docs/text-protocol.md §1): a client's is refused as the header shows it, not once
        // a length and body follow (none may ever come). The frozen clock lets no timeout end the connection instead.
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch), logger: log);
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("other.>");
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);
        if (helloFirst)
        {
            await python.SendAsync("HELLO py-evt");
        }

        await python.SendAsync(System.Text.Encoding.ASCII.GetBytes(bytes));

        await python.AssertClosedWithoutReplyAsync();
        await log.WaitForAsync(l => l.Contains($"broke the protocol (BadFrame): {reason}; disconnecting it", StringComparison.Ordinal));
        Assert.Equal(new KeyValuePair<string, long>("bad_frame", 1), Assert.Single(broker.Server.GetStats().Rejections));
        await bus.PublishAsync("other.x", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("other.x", (await Receive.NextAsync(sub)).Topic);
    }

    [Fact]
    public async Task ValidFramesSentAByteAtATime_StillWork()
    {
        // The same frozen clock: only the bytes decide. Each byte is its own send, so the broker reads most of them
        // alone, each a prefix that must stay a possible header.
        await using var broker = await TestBroker.StartAsync(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("slow.>");
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        byte[] frames = [.. RawTextClient.Frame("HELLO py-slow", []), .. RawTextClient.Frame("PUB slow.x\r", "{\"type\":\"t\"}"u8)];
        foreach (var b in frames)
        {
            await python.SendAsync([b]);
        }

        var evt = await Receive.NextAsync(sub);
        Assert.Equal(("slow.x", "t"), (evt.Topic, evt.Type));
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Protocol == BrokerConnectionStats.PythonProtocol);
        Assert.Equal("py-slow", row.Name);
        Assert.Empty(broker.Server.GetStats().Rejections);
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
    public async Task APublishWhoseMessagePackPubWouldExceedTheFrameLimit_IsDropped_AndOneAtTheLimitIsDelivered()
    {
        // JSON grows into MessagePack (0.5 is 4 bytes of JSON, 9 of float64), so the text line limit does not bound
        // the PUB: the broker's frame limit must, as it bounds a MessagePack client's (docs/text-protocol.md §2).
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(o => o.MaxFrameBytes = 65536, logger: log);
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("b.>");
        using var python = await RawTextClient.ConnectAsync(broker.SocketPath);

        // PUB body: array header 1, kind 1, topic "b.x" 4, type "" 1, id 34, ts 9, map header 1, key "s" 2,
        // str16 3 + n: 65,536 (the limit) for n = 65,480.
        await python.SendAsync("HELLO py-big");
        await python.SendAsync("PUB b.x", Body(65481));
        await python.SendAsync("PUB b.y", Body(65480));
        await python.SendAsync("PUB b.z", Ascii("{\"payload\":{\"a\":[" + string.Join(',', Enumerable.Repeat("0.5", 30_000)) + "]}}"));
        await python.SendAsync("PUB b.end", "{}"u8.ToArray());

        var first = await Receive.NextAsync(sub);
        Assert.Equal("b.y", first.Topic);
        Assert.Equal(65480, ((string)first.ReadPayloadAsDictionary()["s"]!).Length);
        Assert.Equal("b.end", (await Receive.NextAsync(sub)).Topic);
        Assert.Equal(2, broker.Server.GetStats().Rejections.GetValueOrDefault("untranslatable"));
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var line = await log.NextLineAsync("Dropped", timeout.Token);
        Assert.StartsWith("Dropped a publish on b.x from Python client py-big (pid ", line, StringComparison.Ordinal);
        Assert.Contains("its MessagePack PUB would be 65537 bytes, over the broker's frame limit of 65536", line, StringComparison.Ordinal);

        static byte[] Body(int length) => Ascii("{\"payload\":{\"s\":\"" + new string('a', length) + "\"}}");

        static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);
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
