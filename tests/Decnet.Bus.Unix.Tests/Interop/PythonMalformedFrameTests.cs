using System.Text;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// What ends a Python connection (docs/text-protocol.md §3): each malformed frame closes only the connection that
/// sent it, without a reply (the text protocol has none), counted under its reason, while the other clients of both
/// protocols keep receiving.
/// </summary>
public sealed class PythonMalformedFrameTests
{
    private static readonly (string Name, string[] Commands, string Reason)[] _cases =
    [
        ("bad verb", [Raw("FOO m.x\n\0\0\0\0")], "bad_frame"),
        ("header over 4,096 bytes", [Raw("PUB " + new string('a', 4996))], "frame_too_large"),
        ("body over 1 MiB", [Raw("PUB m.x\n\0\x10\0\x01")], "frame_too_large"),
        ("truncated length", [Raw("PUB m.x\n\0\0"), "shutdown"], "bad_frame"),
        ("invalid JSON", ["pubbody m.x {not json"], "bad_frame"),
        ("non-object body", ["pubbody m.x [1, 2]"], "bad_frame"),
        ("EVT from a client", [Raw("EVT m.x\n\0\0\0\0")], "bad_frame"),
        ("non-ASCII header", ["raw 50554220c3a90a00000000"], "bad_frame"),
        ("topic invalid in both grammars", ["pubbody m..x {}"], "invalid_topic"),
        ("pattern the Python matcher takes and this bus refuses", ["sub a.>.b"], "invalid_pattern"),
        ("SUB without a pattern", [Raw("SUB\n\0\0\0\0")], "invalid_pattern"),
    ];

    [StdlibPythonFact]
    public async Task EachMalformedFrame_ClosesOnlyItsConnection_CountedByReason_WhileOthersKeepReceiving()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var dotnetSub = await bus.SubscribeAsync("m.ok.>");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var good = await PythonTextClient.StartAsync(broker.SocketPath, "py-good");
        await good.SendAsync("sub m.ok.>");
        await barrier.PassAsync(good);

        var n = 0;
        foreach (var (name, commands, reason) in _cases)
        {
            var before = broker.Server.GetStats().Rejections.GetValueOrDefault(reason);
            await using (var bad = await PythonTextClient.StartAsync(broker.SocketPath, "py-bad"))
            {
                foreach (var command in commands)
                {
                    await bad.SendAsync(command);
                }

                Assert.True("CLOSED" == await bad.NextLineAsync(), $"{name}: the connection stayed open");
            }

            Assert.True(before + 1 == broker.Server.GetStats().Rejections.GetValueOrDefault(reason), $"{name}: not counted as {reason}");
            var topic = $"m.ok.{++n}";
            await bus.PublishAsync(topic, new Dictionary<string, int> { ["n"] = n });
            Assert.Equal(topic, (await good.NextEventAsync()).Topic);
            Assert.Equal(topic, (await Receive.NextAsync(dotnetSub)).Topic);
        }
    }

    [Theory]
    [InlineData((byte)'{')]
    [InlineData((byte)'h')]
    [InlineData((byte)0x16)]
    public async Task AFirstByteOfNeitherProtocol_IsClosedWithoutAReply_AndCounted(byte first)
    {
        await using var broker = await TestBroker.StartAsync();
        using var client = await RawTextClient.ConnectAsync(broker.SocketPath);
        await client.SendAsync([first, (byte)'\n', 0, 0, 0, 0]);

        await client.AssertClosedWithoutReplyAsync();
        Assert.Equal(1, broker.Server.GetStats().Rejections["unknown_protocol"]);
    }

    [StdlibPythonFact]
    public async Task ASubscriptionOverTheLimit_ClosesThePythonConnection()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaxSubscriptionsPerConnection = 2);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-subs");
        await python.SendAsync("sub a.1");
        await python.SendAsync("sub a.1");
        await python.SendAsync("sub a.2");
        await python.SendAsync("sub a.3");

        Assert.Equal("CLOSED", await python.NextLineAsync());
        Assert.Equal(1, broker.Server.GetStats().Rejections["too_many_subscriptions"]);
    }

    [StdlibPythonFact]
    public async Task AnIncompleteFrame_IsCutAfterTheIdleTimeout_WhileASilentPythonSubscriberStays()
    {
        await using var broker = await TestBroker.StartAsync(o => o.IdleTimeout = TimeSpan.FromSeconds(1));
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var silent = await PythonTextClient.StartAsync(broker.SocketPath, "py-silent");
        await silent.SendAsync("sub s.>");
        await barrier.PassAsync(silent);
        await using var trickler = await PythonTextClient.StartAsync(broker.SocketPath, "py-trickler");

        await trickler.SendAsync(Raw("PUB s.x"));

        // The trickler is cut a whole idle timeout after its partial frame, so by then the silent subscriber has been
        // silent longer than that too, and it still receives.
        Assert.Equal("CLOSED", await trickler.NextLineAsync());
        Assert.Equal(1, broker.Server.GetStats().Rejections["idle_timeout"]);
        await bus.PublishAsync("s.after", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("s.after", (await silent.NextEventAsync()).Topic);
    }

    [Fact]
    public async Task APythonConnectionWithoutACompleteFrame_IsCutAfterTheHandshakeTimeout()
    {
        await using var broker = await TestBroker.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(500));
        using var client = await RawTextClient.ConnectAsync(broker.SocketPath);
        await client.SendAsync("HEL"u8.ToArray());

        await client.AssertClosedWithoutReplyAsync();
        Assert.Equal(1, broker.Server.GetStats().Rejections["handshake_required"]);
    }

    [StdlibPythonFact]
    public async Task TopicAcls_ApplyToPythonClients_ARefusedPublishIsDroppedAndCounted_AndTheConnectionStays()
    {
        using var dir = new TempSocketDir();
        var acl = Path.Combine(dir.Path, "acl");
        await File.WriteAllLinesAsync(acl, ["publish secret.> uid:99999", "subscribe hidden.> uid:99999"]);
        await using var broker = await TestBroker.StartAsync(o => o.AclFile = acl);
        var bus = broker.CreateClient("dotnet");
        await using var dotnetSub = await bus.SubscribeAsync(">");
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-acl");
        await python.SendAsync("sub >");

        await python.SendAsync("""pub secret.x t {"n": 1}""");
        await python.SendAsync("""pub open.x t {"n": 2}""");
        Assert.Equal("open.x", (await Receive.NextAsync(dotnetSub)).Topic);
        Assert.Equal(1, broker.Server.GetStats().Rejections["permission_denied"]);

        await bus.PublishAsync("hidden.y", new Dictionary<string, int> { ["n"] = 3 });
        await bus.PublishAsync("open.y", new Dictionary<string, int> { ["n"] = 4 });
        Assert.Equal("open.y", (await python.NextEventAsync()).Topic);
    }

    private static string Raw(string latin1) => "raw " + Convert.ToHexString(Encoding.Latin1.GetBytes(latin1));
}
