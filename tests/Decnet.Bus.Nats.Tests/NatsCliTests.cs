using System.Text.Json;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary><c>decnet pub|sub|stats</c> with <c>DECNET_BUS_TYPE=nats</c>, as child processes against a real server.</summary>
[RequiresNatsServer]
public sealed class NatsCliTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private Dictionary<string, string> Nats => new() { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_NATS_URL"] = fixture.Server.Url };

    [Fact]
    public async Task Sub_PrintsTheEventPubSends_OverNats()
    {
        await using var sub = CliProcess.Start(Nats, "sub", "cli.>", "--count", "1", "--json", "--timeout", "30");
        await sub.WaitForLineAsync($"sub: subscribed to cli.> at {fixture.Server.Url}");

        await using var pub = CliProcess.Start(Nats, "pub", "cli.decky", "{\"n\": 7}", "--type", "applied");
        Assert.True(await pub.WaitForExitAsync() == 0, pub.ToString());

        Assert.True(await sub.WaitForExitAsync() == 0, sub.ToString());
        using var line = JsonDocument.Parse(sub.Output.Trim());
        Assert.Equal("cli.decky", line.RootElement.GetProperty("topic").GetString());
        Assert.Equal("applied", line.RootElement.GetProperty("type").GetString());
        Assert.Equal(7, line.RootElement.GetProperty("payload").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Stats_ShowsWhatTheNatsClientKnows()
    {
        await using var stats = CliProcess.Start(Nats, "stats");

        Assert.True(await stats.WaitForExitAsync() == 0, stats.ToString());
        Assert.Contains($"nats Open at {fixture.Server.Url}", stats.Output, StringComparison.Ordinal);
        Assert.Contains("max_payload 1048576", stats.Output, StringComparison.Ordinal);
        Assert.Contains("slow_consumer 0  server_errors 0  publish_waits 0", stats.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20", "no flush reply within 15 s")] // the default keepalive: the flush's bound ends the wait
    [InlineData("1", "the connection was lost before the flush reply")] // the client finds the connection stale first
    public async Task Pub_WhenTheServerNeverAnswersTheFlush_Exits69_SayingTheEventMayBeLost(string keepaliveSeconds, string reason)
    {
        // The server takes the connection, then nothing the client sends reaches it: no PONG proves the event went out.
        await using var proxy = new PubSwallowingProxy(fixture.Server.Port);
        var environment = new Dictionary<string, string>
        {
            ["DECNET_BUS_TYPE"] = "nats",
            ["DECNET_BUS_NATS_URL"] = proxy.Url,
            ["DECNET_BUS_KEEPALIVE_S"] = keepaliveSeconds,
        };
        await using var pub = CliProcess.Start(environment, "pub", "cli.unconfirmed", "{}");

        await proxy.Swallowed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var exit = await pub.WaitForExitAsync();
        Assert.True(exit == 69, $"exit {exit}\n{pub}");
        var line = Assert.Single(pub.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal($"pub: NATS at {proxy.Url} did not confirm the event on cli.unconfirmed ({reason}); it may not have been delivered", line);
    }

    [Fact]
    public async Task Pub_WithoutAServer_Exits69_WithOneLine()
    {
        var unreachable = new Dictionary<string, string> { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_NATS_URL"] = "nats://127.0.0.1:1" };
        await using var pub = CliProcess.Start(unreachable, "pub", "cli.none", "{}");

        Assert.Equal(69, await pub.WaitForExitAsync());
        Assert.Equal("bus: NATS unavailable at nats://127.0.0.1:1 (is nats-server running?)", pub.Error.Trim());
    }
}
