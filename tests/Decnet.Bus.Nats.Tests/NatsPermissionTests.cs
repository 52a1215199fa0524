using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A nats-server with per-user permissions (the deployment docs/cross-host.md recommends): what it refuses is refused
/// as on the UNIX transport, a subscription with <see cref="BusSubscriptionRejectedException"/>, a publish counted as
/// dropped, and the connection carries on.
/// </summary>
[RequiresNatsServer]
public sealed class NatsPermissionTests : IAsyncLifetime
{
    private const string _config = """
        authorization {
          users = [
            { user: "hosta", password: "s3cret-hosta", permissions: { publish: { allow: ["host.a.>"] }, subscribe: { allow: ["host.a.>"] } } }
          ]
        }
        """;

    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync(_config);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connect_AsAUserConfinedToItsOwnSubjects_SendsNothingTheServerRefuses()
    {
        // The client never makes requests: it must not subscribe a reply inbox, which such a user may not.
        await using var bus = new NatsBus(Options());
        Assert.True(await bus.WaitForConnectionAsync(_bound));

        Assert.True(await bus.FlushAsync(_bound));

        Assert.Equal(0, bus.GetStats().ServerErrors);
    }

    [Fact]
    public async Task Subscribe_RefusedByServerPermissions_Throws_AndIsNeitherKeptNorSentAgainAfterAReconnect()
    {
        await using var bus = new NatsBus(Options());
        await using var allowed = await bus.SubscribeAsync("host.a.>");

        await RefusedSubscriptionCheck.AssertRefusedAsync(_server, bus, allowed, "host.a.after", "host.b.>", 12, "Permissions Violation for Subscription to");
    }

    [Theory]
    [InlineData("host.b.\u00e9")] // printable to Go: sent as UTF-8 in the -ERR
    [InlineData("host.b.\U0001FAE0")] // Unicode 14, unknown to an older Go's tables: sent as \U0001fae0
    public async Task Subscribe_NonAsciiPatternRefusedByServerPermissions_Throws_WhateverGoQuotingMakesOfIt(string pattern)
    {
        await using var bus = new NatsBus(Options());
        await using var allowed = await bus.SubscribeAsync("host.a.>");
        Assert.True(Topics.IsValidPattern(pattern));

        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await bus.SubscribeAsync(pattern));

        Assert.Equal(pattern, error.Pattern);
        Assert.Equal(12, error.Code);
        Assert.Equal(1, bus.GetStats().Subscriptions);
    }

    [Fact]
    public async Task Publish_RefusedByServerPermissions_IsCountedAsDropped_OnceTheServerHasAnswered()
    {
        await using var bus = new NatsBus(Options());
        await using var allowed = await bus.SubscribeAsync("host.a.>");

        await bus.PublishAsync("host.b.forged", new { n = 1 });
        Assert.True(await bus.FlushAsync(_bound));

        Assert.Equal(new BusCounters(1, 0, 1), bus.Counters);
        await bus.PublishAsync("host.a.after", new { n = 2 });
        Assert.Equal("host.a.after", (await Read.OneAsync(allowed)).Topic);
        Assert.Equal(new BusCounters(2, 1, 1), bus.Counters);
        Assert.Equal(0, bus.GetStats().Disconnects);
    }

    [Fact]
    public async Task CliPub_RefusedByServerPermissions_Exits77_WithOneLineNamingTheSubject()
    {
        // The -ERR is read before the PONG that ends pub's flush: pub must not report a refused event as sent.
        var environment = new Dictionary<string, string>
        {
            ["DECNET_BUS_TYPE"] = "nats",
            ["DECNET_BUS_NATS_URL"] = _server.Url,
            ["DECNET_BUS_NATS_USER"] = "hosta",
            ["DECNET_BUS_NATS_PASSWORD"] = "s3cret-hosta",
        };
        await using var refused = CliProcess.Start(environment, "pub", "host.b.forged", "{}");
        await using var allowed = CliProcess.Start(environment, "pub", "host.a.fine", "{}");

        Assert.True(await refused.WaitForExitAsync() == 77, refused.ToString());
        var line = Assert.Single(refused.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("pub: the NATS server refused the event on host.b.forged: permission denied (", line, StringComparison.Ordinal);
        Assert.Contains("Permissions Violation for Publish to", line, StringComparison.Ordinal);
        Assert.True(await allowed.WaitForExitAsync() == 0, allowed.ToString());
        Assert.Empty(allowed.Error);
    }

    [Fact]
    public async Task CliPub_WithAWrongPassword_Exits77_SayingAuthorizationWasRefused_NotThatNatsIsDown()
    {
        // "NATS unavailable (is nats-server running?)" sent the operator to a server that is up; the credentials are
        // what must change, and retrying (69) would not help.
        var environment = new Dictionary<string, string>
        {
            ["DECNET_BUS_TYPE"] = "nats",
            ["DECNET_BUS_NATS_URL"] = _server.Url,
            ["DECNET_BUS_NATS_USER"] = "hosta",
            ["DECNET_BUS_NATS_PASSWORD"] = "wrong",
        };
        await using var pub = CliProcess.Start(environment, "pub", "host.a.fine", "{}");

        Assert.True(await pub.WaitForExitAsync() == 77, pub.ToString());
        var line = Assert.Single(pub.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"bus: authorization refused by {_server.Url} (", line, StringComparison.Ordinal);
        Assert.Contains("DECNET_BUS_NATS_PASSWORD", line, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", line, StringComparison.Ordinal);
    }

    private DecnetBusOptions Options()
    {
        var options = NatsTestOptions.For(_server, "perm");
        options.Nats.User = "hosta";
        options.Nats.Password = "s3cret-hosta";
        return options;
    }
}
