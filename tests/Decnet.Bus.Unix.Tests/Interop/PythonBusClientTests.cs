using System.Buffers.Binary;
using System.Text.Json;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// tests/interop/decnet_bus_client.py as a long-lived subscriber and against a broker that sends what `decnet bus`
/// never would: its timeouts bound only the connection and its requests, a frame it cannot decode is one ERROR
/// line, not a traceback, every line it prints is escaped, and an event line is JSON (NaN as `decnet sub` prints it).
/// </summary>
public sealed class PythonBusClientTests
{
    // The same bound covers the client's connect and handshake, which a loaded machine can take 300 ms over (it failed
    // so): long enough for those, and the gap the test waits out is longer still.
    private static readonly TimeSpan _clientTimeout = TimeSpan.FromSeconds(2);

    [PythonFact]
    public async Task ASubscriber_WaitsLongerThanItsRequestTimeoutForTheNextEvent()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start(
            [new("DECNET_BUS_CLIENT_TIMEOUT", _clientTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            "sub", broker.SocketPath, "slow.>", "1");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);

        // Events more than the client's request timeout apart (the gap is this test's input).
        await python.ExpectRunningAfterAsync(1.5 * _clientTimeout);
        var bus = broker.CreateClient("dotnet-pub");
        await bus.PublishAsync("slow.x", new Dictionary<string, int> { ["n"] = 1 });

        Assert.Contains("\"topic\": \"slow.x\"", await python.ReadLineAsync(), StringComparison.Ordinal);
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task ASubscriber_PrintsBinAndExtValues_AsTheBrokerWritesThemInJson()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start("sub", broker.SocketPath, "bin.>", "1");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);
        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);

        // {"b": bin 01 02, "e": ext type 5 with data 03}
        byte[] payload = [0x82, 0xA1, (byte)'b', 0xC4, 0x02, 0x01, 0x02, 0xA1, (byte)'e', 0xD4, 0x05, 0x03];
        await publisher.SendAsync(b => FrameWriter.WritePubRaw(b, "bin.x", "t", "0123456789abcdef0123456789abcdef", 1.5, payload));

        using var json = System.Text.Json.JsonDocument.Parse(await python.ReadLineAsync());
        var printed = json.RootElement.GetProperty("payload");
        Assert.Equal("AQI=", printed.GetProperty("b").GetProperty("$bin").GetString());
        Assert.Equal(5, printed.GetProperty("e").GetProperty("$ext").GetProperty("type").GetInt32());
        Assert.Equal("Aw==", printed.GetProperty("e").GetProperty("$ext").GetProperty("data").GetString());
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task AnEvtWhoseTopicIsNotUtf8_IsOneErrorLine_AndExitCode1()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var peer = new ScriptedPeer();
        await using var python = PythonClient.Start("sub", peer.SocketPath, "bad.>", "1");
        await SubscribedAsync(peer, python);

        // [EVT, "\xff"]: a str that is not UTF-8.
        await peer.WriteAsync([0, 0, 0, 4, 0x92, (byte)FrameKind.Evt, 0xA1, 0xFF]);

        Assert.Equal(
            "ERROR frame is not valid MessagePack: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
            await python.ReadLineAsync());
        var (exitCode, error) = await python.ExitAsync();
        Assert.Equal((1, string.Empty), (exitCode, error));
    }

    [PythonFact]
    public async Task AnEvtWhosePayloadHasABinKey_IsOneErrorLine_AndExitCode1()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var peer = new ScriptedPeer();
        await using var python = PythonClient.Start("sub", peer.SocketPath, "bad.>", "1");
        await SubscribedAsync(peer, python);

        // {b"k": 1}: valid MessagePack, but JSON has no bin keys. (A broker refuses it at the top level, §2; nested
        // maps are forwarded unchecked: see the next test.)
        await peer.WriteAsync(Evt("bad.x", [0x81, 0xC4, 0x01, (byte)'k', 0x01]));

        Assert.Equal(
            "ERROR event cannot be printed as JSON: keys must be str, int, float, bool or None, not bytes",
            await python.ReadLineAsync());
        var (exitCode, error) = await python.ExitAsync();
        Assert.Equal((1, string.Empty), (exitCode, error));
    }

    [PythonFact]
    public async Task AnEventWithABinKeyInANestedMap_ReachesTheSubscriber_AsOneErrorLine()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start("sub", broker.SocketPath, "bin.>", "1");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);
        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);

        // {"a": {b"k": 1}}: the broker checks only the payload's own keys, so it forwards this one.
        byte[] payload = [0x81, 0xA1, (byte)'a', 0x81, 0xC4, 0x01, (byte)'k', 0x01];
        await publisher.SendAsync(b => FrameWriter.WritePubRaw(b, "bin.x", "t", "0123456789abcdef0123456789abcdef", 1.5, payload));

        Assert.Equal(
            "ERROR event cannot be printed as JSON: keys must be str, int, float, bool or None, not bytes",
            await python.ReadLineAsync());
        var (exitCode, error) = await python.ExitAsync();
        Assert.Equal((1, string.Empty), (exitCode, error));
    }

    [PythonFact]
    public async Task BadTopic_PrintsTheBrokersErrMessage_EscapedAsUntrustedTextEscapes()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var peer = new ScriptedPeer();
        await using var python = PythonClient.Start("badtopic", peer.SocketPath, "bad..topic");
        await peer.AcceptAsync();
        await ReadFrameAsync(peer); // HELLO
        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 1, 1 << 20, 256, 1024, 1024))));
        await ReadFrameAsync(peer); // PUB
        await ReadFrameAsync(peer); // PING

        // A broker's message with a terminal escape sequence, a bidi override and a line separator in it.
        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteRequestErr(b, BusErrorCode.InvalidTopic, "bad \u001b[2J\u202etopic\u2028", FrameKind.Pub, 0)));
        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Pong)));

        Assert.Equal("ERR 3 bad \\u001B[2J\\u202Etopic\\u2028", await python.ReadLineAsync());
        Assert.Equal("OPEN", await python.ReadLineAsync());
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task AnErrRefusingTheHandshake_IsOneEscapedErrLine_AndExitCode1()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var peer = new ScriptedPeer();
        await using var python = PythonClient.Start("sub", peer.SocketPath, "a.>", "1");
        await peer.AcceptAsync();
        await ReadFrameAsync(peer); // HELLO

        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.ProtocolVersion, "no \u001b]0;title\u0007")));

        Assert.Equal("ERR 7 no \\u001B]0;title\\u0007", await python.ReadLineAsync());
        var (exitCode, error) = await python.ExitAsync();
        Assert.Equal((1, string.Empty), (exitCode, error));
    }

    [PythonFact]
    public async Task NonFiniteFloats_PrintAsDecnetSubPrintsThem_NotAsNaNOrInfinityLiterals()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start("sub", broker.SocketPath, "nan.>", "1");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);
        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);

        // {"n": f64 NaN, "p": f32 +Inf, "m": f64 -Inf, "a": [f32 NaN], "k": {"x": f64 +Inf}}: the broker forwards
        // them (a payload float may be anything, wire-protocol.md §2).
        byte[] payload =
        [
            0x85,
            0xA1, (byte)'n', 0xCB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0,
            0xA1, (byte)'p', 0xCA, 0x7F, 0x80, 0, 0,
            0xA1, (byte)'m', 0xCB, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0,
            0xA1, (byte)'a', 0x91, 0xCA, 0x7F, 0xC0, 0, 0,
            0xA1, (byte)'k', 0x81, 0xA1, (byte)'x', 0xCB, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0,
        ];
        await publisher.SendAsync(b => FrameWriter.WritePubRaw(b, "nan.x", "t", "0123456789abcdef0123456789abcdef", 1.5, payload));

        // What `decnet sub --json` prints for this payload (src/Decnet.Cli/Bus/MessagePackJson.cs, docs/operations.md):
        // the strings "NaN", "Infinity" and "-Infinity".
        using var cli = JsonDocument.Parse("""{"n":"NaN","p":"Infinity","m":"-Infinity","a":["NaN"],"k":{"x":"Infinity"}}""");
        var line = await python.ReadLineAsync();
        using var printed = JsonDocument.Parse(line);
        Assert.True(JsonElement.DeepEquals(cli.RootElement, printed.RootElement.GetProperty("payload")), line);
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task ANonFiniteEnvelopeTime_PrintsAsDecnetSubPrintsIt()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var peer = new ScriptedPeer();
        await using var python = PythonClient.Start("sub", peer.SocketPath, "bad.>", "1");
        await SubscribedAsync(peer, python);

        // A broker refuses such a ts (wire-protocol.md §3); a broken one could still send it.
        await peer.WriteAsync(Evt("bad.x", [0x80], double.NegativeInfinity));

        var line = await python.ReadLineAsync();
        using var printed = JsonDocument.Parse(line);
        Assert.Equal("-Infinity", printed.RootElement.GetProperty("ts").GetString());
        await python.ExpectSuccessAsync();
    }

    /// <summary>Plays the broker's side of the handshake and of the client's one SUB, up to its READY line.</summary>
    private static async Task SubscribedAsync(ScriptedPeer peer, PythonClient python)
    {
        await peer.AcceptAsync();
        await ReadFrameAsync(peer); // HELLO
        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 1, 1 << 20, 256, 1024, 1024))));
        await ReadFrameAsync(peer); // SUB, sid 1
        await peer.WriteAsync(FrameBytes.Of(b => FrameWriter.WriteSubAck(b, 1)));
        Assert.Equal("READY 1", await python.ReadLineAsync());
    }

    /// <summary>An EVT for sid 1 built as the broker builds one: from a PUB's tail, forwarded byte for byte.</summary>
    private static byte[] Evt(string topic, byte[] payload, double ts = 1.5)
        => GoldenFrames.EvtOf(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, "t", "0123456789abcdef0123456789abcdef", ts, payload)));

    private static async Task ReadFrameAsync(ScriptedPeer peer)
        => await peer.ReadAsync(BinaryPrimitives.ReadInt32BigEndian(await peer.ReadAsync(4)));
}
