using System.Buffers;
using System.Text;
using Decnet.Bus.Conformance;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// Issue 12, items 3 and 4 at the wire: control characters in a PUB type or a HELLO name get ERR 1, invisible code
/// points in a topic ERR 3 and in a pattern ERR 4 (docs/wire-protocol.md §6), and nothing raw reaches the broker log.
/// </summary>
public sealed class HostileStringTests
{
    private static readonly string[] _controlTypes =
    [
        "forged\n<13>1 2026-12-02T05:00:00Z host decnet - decky.decky-01.mutation {\"decky\":\"FORGED\"}",
        "\u001b[2J\u001b[31mred",
        "cr\r",
        "nul\0",
        "del\u007f",
        "csi\u009b31m",
        "c1 last \u0080",
        new string('x', 40) + "\u001b", // str8 header, not fixstr
    ];

    public static TheoryData<string> ControlTypes => new(_controlTypes);

    public static TheoryData<string> ControlNames => new()
    {
        "cr\rforged-row",
        "\u001b[2Jesc",
        "lf\n",
        "nel\u0085",
        "del\u007f",
    };

    [Theory]
    [MemberData(nameof(ControlTypes))]
    public async Task Pub_TypeWithControlCharacter_GetsErr1_AndNothingIsDelivered(string type)
    {
        await using var broker = await TestBroker.StartAsync();
        var watcher = broker.CreateClient("watcher");
        await using var all = await watcher.SubscribeAsync(">");
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);

        await raw.SendAsync(RawFrames.Pub("decky.decky-01.mutation"u8, Encoding.UTF8.GetBytes(type)));

        var message = await raw.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
        Assert.Contains("type", message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(message), message);

        // The next publish is the first thing the watcher sees.
        await watcher.PublishAsync("after.marker", new { });
        Assert.Equal("after.marker", (await Receive.NextAsync(all)).Topic);
    }

    [Theory]
    [MemberData(nameof(ControlNames))]
    public async Task Hello_NameWithControlCharacter_GetsErr1(string name)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath, hello: false);

        await raw.SendAsync(RawFrames.Hello(Encoding.UTF8.GetBytes(name)));

        var message = await raw.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
        Assert.Contains("name", message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(message), message);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public async Task Pub_TopicWithInvisibleCodePoint_GetsErr3NamingTheTokenAndTheCodePoint(string kind, int codePoint)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);

        await raw.SendAsync(RawFrames.Pub([.. "decky."u8, .. TopicSamples.Utf8(codePoint), .. "decky-01.mutation"u8], "t"u8));

        // A refused PUB is answered with an ERR naming it; the connection stays (docs/wire-protocol.md §6).
        var message = (await raw.ExpectRequestErrorAsync(BusErrorCode.InvalidTopic, FrameKind.Pub, 0)).Message;
        AssertNamesTheCodePoint(kind, codePoint, TopicSamples.Text(codePoint) + "decky-01", message);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public async Task Sub_PatternWithInvisibleCodePoint_GetsErr4NamingTheTokenAndTheCodePoint(string kind, int codePoint)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);

        await raw.SendAsync(RawFrames.Sub(7, [.. "decky."u8, .. TopicSamples.Utf8(codePoint), .. ".>"u8]));

        var message = (await raw.ExpectRequestErrorAsync(BusErrorCode.InvalidPattern, FrameKind.Sub, 7)).Message;
        AssertNamesTheCodePoint(kind, codePoint, TopicSamples.Text(codePoint), message);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Visible), MemberType = typeof(TopicSamples))]
    public async Task RawPubAndSub_WithVisibleNonAsciiToken_AreRouted(string token)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        var topic = Encoding.UTF8.GetBytes("decky." + token + ".mutation");

        await raw.SendAsync(RawFrames.Sub(1, Encoding.UTF8.GetBytes("decky." + token + ".>")));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        await raw.SendAsync(RawFrames.Pub(topic, "t"u8));

        var (kind, body) = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.Evt, kind);
        Assert.Equal("decky." + token + ".mutation", FrameDecoder.ReadEvent(new ReadOnlySequence<byte>(body), []).Topic);
    }

    [Fact]
    public async Task LongHostileNameAndType_GetErrsAndLogLinesOfBoundedSize()
    {
        // Escaping makes each control character six: quoted whole, a 200,000-byte name made an ERR of 1.2 MB (docs/
        // wire-protocol.md §4.1 says WELCOME and ERR are always far smaller than 1 MiB) and a log line as large.
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(logger: log);
        var controls = new string('\u0001', 200_000);

        await using (var named = await RawClient.ConnectAsync(broker.SocketPath, hello: false))
        {
            await named.SendAsync(RawFrames.Hello(Encoding.UTF8.GetBytes(controls)));
            var message = await named.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
            Assert.InRange(message.Length, 1, 1024);
            Assert.Contains("U+0001", message, StringComparison.Ordinal);
        }

        await using (var typed = await RawClient.ConnectAsync(broker.SocketPath))
        {
            await typed.SendAsync(RawFrames.Pub("a.b"u8, Encoding.UTF8.GetBytes(controls)));
            Assert.InRange((await typed.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame)).Length, 1, 1024);
        }

        await log.WaitForLinesAsync("disconnected", 2);
        Assert.Equal(2, log.Lines.Count(l => l.Contains("broke the protocol", StringComparison.Ordinal)));
        Assert.All(log.Lines, line => Assert.InRange(line.Length, 1, 2048));
    }

    [Fact]
    public async Task BrokerLog_NeverCarriesARawControlOrFormatCharacter()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(logger: log);

        // A bidi override passes the HELLO check (only controls are refused) and must reach the log escaped.
        await using (var named = await RawClient.ConnectAsync(broker.SocketPath, hello: false))
        {
            await named.SendAsync(RawFrames.Hello("evil\u202egnp.exe"u8));
            Assert.Equal(FrameKind.Welcome, (await named.ReadFrameAsync()).Kind);
            await named.SendAsync(RawFrames.Pub("a.b"u8, "\n\u001b[31mFORGED"u8));
            await named.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
        }

        await using (var forger = await RawClient.ConnectAsync(broker.SocketPath, hello: false))
        {
            await forger.SendAsync(RawFrames.Hello("\r\u001b[2Jforged"u8));
            await forger.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
        }

        await using (var topics = await RawClient.ConnectAsync(broker.SocketPath))
        {
            await topics.SendAsync(RawFrames.Pub("decky.\u200bdecky-01.mutation"u8, "t"u8));
            await topics.ExpectRequestErrorAsync(BusErrorCode.InvalidTopic, FrameKind.Pub, 0);
        }

        await using (var patterns = await RawClient.ConnectAsync(broker.SocketPath))
        {
            await patterns.SendAsync(RawFrames.Sub(1, "decky.\u202e.>"u8));
            await patterns.ExpectRequestErrorAsync(BusErrorCode.InvalidPattern, FrameKind.Sub, 1);
        }

        // Every connection logs its disconnect last; four of them means every line above is in.
        await log.WaitForLinesAsync("disconnected", 4);
        Assert.Contains(log.Lines, l => l.Contains("evil\\u202Egnp.exe", StringComparison.Ordinal));
        // The forged type and name end their connections; the look-alike topic and pattern are refused requests, and
        // the connections stay until the clients leave (docs/wire-protocol.md §6).
        Assert.Equal(2, log.Lines.Count(l => l.Contains("broke the protocol", StringComparison.Ordinal)));
        Assert.Single(log.Lines, l => l.Contains("request the broker refused", StringComparison.Ordinal) && l.Contains("decky.\\u200Bdecky-01.mutation", StringComparison.Ordinal));
        Assert.Single(log.Lines, l => l.Contains("request the broker refused", StringComparison.Ordinal) && l.Contains("decky.\\u202E.>", StringComparison.Ordinal));
        Assert.All(log.Lines, line => Assert.False(UntrustedText.NeedsEscaping(line), $"raw character in the broker log: {UntrustedText.Escape(line)}"));
    }

    [Fact]
    public void PublishTail_TypeWithControlCharacter_IsRefusedOnEverySegmentation()
    {
        // The broker's multi-segment path (a frame split across receive buffers) applies the same check.
        foreach (var type in _controlTypes)
        {
            var tail = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", type, RawFrames.EventId, 1.5, [0x80]));
            var body = new ReadOnlySequence<byte>(tail.AsMemory(ProtocolConstants.HeaderSize));
            var reader = new MessagePack.MessagePackReader(body);
            reader.ReadArrayHeader();
            reader.Skip();
            reader.Skip();
            var bytes = body.Slice(reader.Position).ToArray();
            for (var chunk = 1; chunk <= bytes.Length; chunk += 3)
            {
                var error = Assert.Throws<ProtocolException>(() => FrameDecoder.ValidatePublishTail(Segments.Split(bytes, chunk)));
                Assert.Equal(BusErrorCode.BadFrame, error.Code);
            }
        }
    }

    private static void AssertNamesTheCodePoint(string kind, int codePoint, string token, string message)
    {
        Assert.False(UntrustedText.NeedsEscaping(message), $"{kind}: raw character in the ERR message: {UntrustedText.Escape(message)}");
        if (codePoint is >= 0xD800 and <= 0xDFFF)
        {
            // A surrogate cannot be encoded in UTF-8: the bytes are refused as invalid UTF-8.
            Assert.Contains("UTF-8", message, StringComparison.Ordinal);
            return;
        }

        Assert.Contains($"token 2 \"{UntrustedText.Escape(token)}\"", message, StringComparison.Ordinal);
        Assert.Contains(TopicSamples.Name(codePoint), message, StringComparison.Ordinal);
    }
}
