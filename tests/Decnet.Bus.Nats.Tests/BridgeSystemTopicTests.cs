using Decnet.Bus.Nats.Tests.Support;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A host's own <c>system.*</c> topics (its broker's and workers' heartbeats, worker control) cross a bridge only when a
/// pattern names <c>system</c> (docs/cross-host.md, "Local-only topics").
/// </summary>
[RequiresNatsServer]
public sealed class BridgeSystemTopicTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    [Fact]
    public async Task ExportingEverything_LeavesTheHostsHeartbeatsAndControlAtHome()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", import: ["unused.>"]);
        await using var b = await LocalHost.StartAsync(fixture.Server, "b", export: ["unused.>"]);
        await using var onB = await b.Client("watcher-b").SubscribeAsync(">");
        var publisher = a.Client("publisher-a");

        await publisher.PublishAsync(Topics.SystemBusHealth, new { pid = 1 });
        await publisher.PublishAsync(Topics.SystemWorkerHealth("mutator"), new { worker = "mutator" });
        await publisher.PublishAsync(Topics.SystemWorkerControl("mutator"), new { action = "stop" });
        await publisher.PublishAsync("systems.x", new { n = 1 });
        await publisher.PublishAsync("marker.end", new { n = 2 });

        // Per-publisher order: whatever crossed before the marker is on B by the time the marker is.
        Assert.Equal(["systems.x"], (await Read.UntilAsync(onB, "marker.end")).Select(e => e.Topic));
    }

    [Fact]
    public async Task APatternNamingSystem_ExportsThem()
    {
        // The importing side must name them too: its '>' would refuse them.
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", export: ["system.*.health"], import: ["unused.>"]);
        await using var b = await LocalHost.StartAsync(fixture.Server, "b", export: ["unused.>"], import: ["system.>"]);
        await using var onB = await b.Client("watcher-b").SubscribeAsync("system.>");

        await a.Client("publisher-a").PublishAsync(Topics.SystemWorkerHealth("mutator"), new { worker = "mutator" });

        Assert.Equal("system.mutator.health", (await Read.OneAsync(onB)).Topic);
    }

    [Fact]
    public async Task ImportingEverything_RefusesSystemSubjects_UnlessAPatternNamesSystem()
    {
        // Without this, anyone who may publish on NATS could stop a host's workers through its bridge.
        await using var b = await LocalHost.StartAsync(fixture.Server, "b", export: ["unused.>"], import: [">"]);
        await using var c = await LocalHost.StartAsync(fixture.Server, "c", export: ["unused.>"], import: ["system.>"]);
        await using var onB = await b.Client("watcher-b").SubscribeAsync(">");
        await using var onC = await c.Client("watcher-c").SubscribeAsync("system.>");
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });

        await raw.PublishAsync(Topics.SystemWorkerControl("mutator"), Envelope(Topics.SystemWorkerControl("mutator")));
        await raw.PublishAsync("marker.end", Envelope("marker.end"));

        Assert.Empty(await Read.UntilAsync(onB, "marker.end"));
        Assert.Equal("system.mutator.control", (await Read.OneAsync(onC)).Topic);
    }

    private static byte[] Envelope(string topic) => Codec.BusCodec.SerializeEnvelope(new BusEvent(topic, Codec.BusCodec.EmptyMap, "t", null, 1.0));
}
