using Decnet.Bus.Nats.Tests.Support;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Tests;

/// <summary><c>decnet bridge</c> as the operator runs it: a child process beside host A's broker.</summary>
[RequiresNatsServer]
public sealed class BridgeCommandTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bridge_ForwardsBothWays_ShowsInStats_LogsCounters_AndStopsCleanlyOnSigterm()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", bridge: false);
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var bridge = CliProcess.Start(
            new Dictionary<string, string>(),
            "bridge", "--nats", fixture.Server.Url, "--export", ">", "--import", ">", "--socket", a.SocketPath, "--log-interval", "0.2");
        await bridge.WaitForLineAsync("running between");
        Assert.Contains($" and {fixture.Server.Url} (", bridge.Error, StringComparison.Ordinal);
        await using var onA = await a.Client("watcher-a").SubscribeAsync("cmd.>");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("cmd.>");

        await a.Client("publisher-a").PublishAsync("cmd.to-b", new { n = 1 });
        Assert.Equal("cmd.to-b", (await Read.OneAsync(onB)).Topic);
        await b.Client("publisher-b").PublishAsync("cmd.to-a", new { n = 2 });
        Assert.Equal("cmd.to-b", (await Read.OneAsync(onA)).Topic);
        Assert.Equal("cmd.to-a", (await Read.OneAsync(onA)).Topic);

        Assert.Contains(a.Broker.GetStats().Connections, c => c.Name.StartsWith("decnet-bridge ", StringComparison.Ordinal));
        await bridge.WaitForLineAsync("bridge: exported 1 imported 1 ");

        bridge.Terminate();
        Assert.True(await bridge.WaitForExitAsync() == 0, bridge.ToString());
        Assert.Contains("bridge: stopped; exported 1 imported 1 export_dropped 0 import_dropped 0", bridge.Error, StringComparison.Ordinal);
        Assert.Contains("; abandoned at stop: exports 0 imports 0; unflushed to NATS 0 (in the dropped counts)", bridge.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The start line tells each side as it is once the bridge has tried it, whatever is subscribed there: an
    /// export-only bridge's NATS and an import-only bridge's socket were shown "down, retrying" while up (their clients
    /// connect lazily), and a socket with no broker looked the same as a healthy one.
    /// </summary>
    [Fact]
    public async Task TheStartLine_ShowsEachSideUpOrDown_AsFoundByAFirstConnect_NotByWhatIsSubscribedThere()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", bridge: false);
        var missing = Path.Combine(Path.GetTempPath(), $"dnb-{Guid.NewGuid():N}.sock");
        string[][] runs =
        [
            ["--export", ">", "--socket", a.SocketPath],
            ["--import", ">", "--socket", a.SocketPath],
            ["--import", ">", "--socket", missing],
        ];
        string[] expected =
        [
            $" running between {a.SocketPath} (up) and {fixture.Server.Url} (up); ",
            $" running between {a.SocketPath} (up) and {fixture.Server.Url} (up); ",
            $" running between {missing} (down, retrying) and {fixture.Server.Url} (up); ",
        ];
        var bridges = runs.Select(r => CliProcess.Start(new Dictionary<string, string>(), ["bridge", "--nats", fixture.Server.Url, .. r])).ToArray();
        try
        {
            for (var i = 0; i < bridges.Length; i++)
            {
                await bridges[i].WaitForLineAsync("running between");
                Assert.True(bridges[i].Error.Contains(expected[i], StringComparison.Ordinal), $"bridge {string.Join(' ', runs[i])}:\n{bridges[i]}");
                bridges[i].Terminate();
                Assert.True(await bridges[i].WaitForExitAsync() == 0, bridges[i].ToString());
            }
        }
        finally
        {
            foreach (var bridge in bridges)
            {
                await bridge.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <c>Decnet-Bridge-Source</c> (the local publisher's pid, uid and gid) goes with every export by default, and
    /// with none once the operator asks the bridge to keep them off NATS.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheSourceHeader_IsSentByDefault_AndNotWithNoSource(bool noSource)
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", bridge: false);
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        await using var sub = await raw.SubscribeCoreAsync<byte[]>("src.>");
        await raw.PingAsync();
        string[] args = ["bridge", "--nats", fixture.Server.Url, "--export", "src.>", "--socket", a.SocketPath, .. noSource ? new[] { "--no-source" } : []];
        await using var bridge = CliProcess.Start(new Dictionary<string, string>(), args);
        await bridge.WaitForLineAsync("running between");

        await a.Client("publisher-a").PublishAsync("src.x", new { n = 1 });
        using var timeout = new CancellationTokenSource(_bound);
        var msg = await sub.Msgs.ReadAsync(timeout.Token);

        Assert.NotNull(msg.Headers);
        Assert.True(msg.Headers.ContainsKey("Decnet-Bridge-Origin"), "no Decnet-Bridge-Origin header");
        Assert.Equal(!noSource, msg.Headers.ContainsKey("Decnet-Bridge-Source"));
        bridge.Terminate();
        Assert.True(await bridge.WaitForExitAsync() == 0, bridge.ToString());
    }

    [Theory]
    [InlineData(new[] { "bridge", "--nats", "nats://127.0.0.1:4222" }, "give at least one --export or --import pattern")]
    [InlineData(new[] { "bridge", "--export", "a..b" }, "invalid pattern \"a..b\"")]
    [InlineData(new[] { "bridge", "--export", ">", "--prefix", "host.*" }, "--prefix \"host.*\" is not a valid topic prefix")]
    public async Task BadArguments_Exit2_WithOneLine(string[] args, string expected)
    {
        await using var bridge = CliProcess.Start(new Dictionary<string, string>(), args);

        Assert.Equal(2, await bridge.WaitForExitAsync());
        Assert.Contains(expected, bridge.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadNatsUrl_AsAFlag_Exit2_NamingTheFlag_AsAVariable_Exit78_NamingTheVariable()
    {
        // A bad flag is a usage error naming the flag; the same value from the environment is a configuration error
        // naming the variable (docs/operations.md, exit codes).
        await using var flag = CliProcess.Start(new Dictionary<string, string>(), "bridge", "--export", ">", "--nats", "http://x:1");
        await using var variable = CliProcess.Start(
            new Dictionary<string, string> { ["DECNET_BUS_NATS_URL"] = "http://x:1" }, "bridge", "--export", ">");

        Assert.Equal(2, await flag.WaitForExitAsync());
        Assert.Contains("--nats 'http://x:1' has scheme 'http'", flag.Error, StringComparison.Ordinal);
        Assert.Equal(78, await variable.WaitForExitAsync());
        Assert.Contains("DECNET_BUS_NATS_URL='http://x:1' has scheme 'http'", variable.Error, StringComparison.Ordinal);
    }
}
