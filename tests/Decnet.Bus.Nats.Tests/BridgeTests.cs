using Decnet.Bus.Conformance;
using Decnet.Bus.Nats.Tests.Support;
using Decnet.Cli.Bridge;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// Two hosts (two brokers on two sockets), one nats-server, two bridges exporting and importing <c>&gt;</c>
/// (docs/cross-host.md).
/// </summary>
[RequiresNatsServer]
public sealed class BridgeTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan _bound = Read.Bound;

    [Fact]
    public async Task EventOnA_ReachesBExactlyOnce_NeverComesBack_10000InOrder()
    {
        const int Events = 10_000;
        await using var a = await LocalHost.StartAsync(fixture.Server, "a");
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onB = await b.Client("watcher-b", queueSize: 2 * Events).SubscribeAsync("order.>", new SubscriptionOptions { QueueSize = 2 * Events });
        await using var onA = await a.Client("watcher-a", queueSize: 2 * Events).SubscribeAsync("order.>", new SubscriptionOptions { QueueSize = 2 * Events });
        var publisher = a.Client("publisher-a");

        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("order.seq", new SequencePayload { Seq = i });
        }

        await publisher.PublishAsync("order.end", new { from = "a" });
        var received = await Read.UntilAsync(onB, "order.end");
        Assert.Equal(Enumerable.Range(0, Events), received.Select(e => e.ReadPayload<SequencePayload>().Seq));
        Assert.Equal(Events, received.Select(e => e.Id).Distinct().Count());

        // A marker from B that reaches A proves the route B → A works; A saw its own events once, and nothing else.
        await b.Client("publisher-b").PublishAsync("order.from-b", new { from = "b" });
        var onASide = await Read.UntilAsync(onA, "order.from-b");
        Assert.Equal(Events + 1, onASide.Count);
        Assert.Equal(Events + 1, onASide.Select(e => e.Id).Distinct().Count());

        Assert.Equal(Events + 1, a.Bridge.Stats.Exported);
        Assert.Equal(1, a.Bridge.Stats.Imported);
        Assert.Equal(Events + 1, b.Bridge.Stats.Imported);
        Assert.Equal(1, b.Bridge.Stats.Exported);
        Assert.Equal(0, a.Bridge.Stats.ExportDropped + b.Bridge.Stats.ImportDropped);
    }

    [Fact]
    public async Task ImportedEvent_KeepsItsEnvelope_IdTypeAndTimestamp()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a");
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onA = await a.Client("watcher-a").SubscribeAsync("env.>");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("env.>");

        await a.Client("publisher-a").PublishAsync("env.x", new { n = 1 }, type: "applied");
        var local = await Read.OneAsync(onA);
        var remote = await Read.OneAsync(onB);

        Assert.Equal((local.Id, local.Type, local.Timestamp, local.Topic), (remote.Id, remote.Type, remote.Timestamp, remote.Topic));
        Assert.Equal(local.Payload.ToArray(), remote.Payload.ToArray());
    }

    /// <summary>
    /// The exporting bridge knows who published each event from the kernel; its own claimed-publisher headers name the
    /// bridge, so the original publisher travels in a header of its own.
    /// </summary>
    [Fact]
    public async Task ExportedEvent_CarriesItsLocalPublisher_AsTheExportingBrokerSawIt()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", prefix: "host.a");
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        await using var sub = await raw.SubscribeCoreAsync<byte[]>("host.a.source.>");
        await raw.PingAsync();
        await using var onA = await a.Client("watcher-a").SubscribeAsync("source.>");

        await a.Client("publisher-a").PublishAsync("source.x", new { n = 1 });
        var local = (await Read.OneAsync(onA)).Publisher;
        using var timeout = new CancellationTokenSource(_bound);
        var msg = await sub.Msgs.ReadAsync(timeout.Token);

        Assert.NotNull(local);
        Assert.NotNull(msg.Headers);
        Assert.True(msg.Headers.TryGetValue("Decnet-Bridge-Source", out var source), "no Decnet-Bridge-Source header");
        Assert.Equal($"pid={local.Value.Pid} uid={local.Value.Uid} gid={local.Value.Gid}", source.ToString());
    }

    [Fact]
    public async Task Prefix_KeepsHostsApart_OnNatsAndOnTheOtherHost()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", prefix: "host.a");
        await using var b = await LocalHost.StartAsync(fixture.Server, "b", prefix: "host.b");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("host.a.>");

        await a.Client("publisher-a").PublishAsync("decky.d1.state", new { up = true });

        Assert.Equal("host.a.decky.d1.state", (await Read.OneAsync(onB)).Topic);
    }

    [Fact]
    public async Task HopLimit_RefusesMessagesThatCrossedTooManyBridges_AndCountsThem()
    {
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("hop.>");
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });

        await raw.PublishAsync("hop.far", Envelope("hop.far"), BridgeHeaders.Create("bridge-elsewhere", BridgeOptions.DefaultHopLimit));
        await raw.PublishAsync("hop.near", Envelope("hop.near"), BridgeHeaders.Create("bridge-elsewhere", 1));

        // Per-publisher order: once hop.near is here, hop.far would have been before it.
        Assert.Equal("hop.near", (await Read.OneAsync(onB)).Topic);
        Assert.Equal(1, b.Bridge.Stats.HopLimited);
        Assert.Equal(1, b.Bridge.Stats.Imported);
    }

    [Fact]
    public async Task TypeWithAControlCharacter_IsRejectedOnTheNatsSide_AndTheNextMessageArrives_WithoutALocalReconnect()
    {
        // Forwarded, such a type made the local broker close the bridge's connection (docs/cross-host.md, "On the wire").
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("poison.>");
        await using var raw = new NatsConnection(new NatsOpts { Url = fixture.Server.Url });
        var generation = b.BridgeLocal.Generation;

        await raw.PublishAsync("poison.bad", Envelope("poison.bad", "x\u001b[2J"));
        await raw.PublishAsync("poison.good", Envelope("poison.good"));

        Assert.Equal("poison.good", (await Read.OneAsync(onB)).Topic);

        // The bridge counts an import after the write that delivered it: awaited, not read at once.
        await WaitUntilAsync(b.Bridge, s => s.Imported == 1 && s.ImportDropped == 1);
        Assert.Equal(generation, b.BridgeLocal.Generation);
        Assert.Equal(0, b.Bridge.Stats.LocalReconnects);
        Assert.Equal(1, b.BridgeNats.GetStats().Rejected);
    }

    [Fact]
    public async Task NatsServerRestart_BothBridgesResume_AndCountWhatWasLost()
    {
        const int DuringOutage = 100;
        await using var a = await LocalHost.StartAsync(fixture.Server, "a");
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("restart.>");
        await using var onA = await a.Client("watcher-a").SubscribeAsync("restart.>");
        var publisherA = a.Client("publisher-a");
        await publisherA.PublishAsync("restart.before", new { n = 0 });
        Assert.Equal("restart.before", (await Read.OneAsync(onB)).Topic);

        var closedA = a.BridgeNats.Closed;
        var closedB = b.BridgeNats.Closed;
        await fixture.Server.StopAsync();
        await Task.WhenAll(closedA, closedB).WaitAsync(_bound);
        for (var i = 0; i < DuringOutage; i++)
        {
            await publisherA.PublishAsync("restart.lost", new SequencePayload { Seq = i });
        }

        // Every event published during the outage reached bridge A and was counted as lost, none silently.
        await WaitUntilAsync(a.Bridge, s => s.ExportDropped == DuringOutage);

        // That they resume at all; how soon is not asserted here (no wall-clock checks in tests: _bound is a failure
        // bound), the reconnect waits are the client's options (docs/cross-host.md, "Resilience").
        await fixture.Server.RestartAsync();
        await Task.WhenAll(a.BridgeNats.Opened, b.BridgeNats.Opened).WaitAsync(_bound);

        await publisherA.PublishAsync("restart.after", new { n = 1 });
        Assert.Equal("restart.after", (await Read.OneAsync(onB)).Topic);
        await b.Client("publisher-b").PublishAsync("restart.back", new { n = 2 });
        await Read.UntilAsync(onA, "restart.back");
        Assert.Equal(1, a.Bridge.Stats.NatsReconnects);
        Assert.Equal(1, b.Bridge.Stats.NatsReconnects);
        Assert.Equal(DuringOutage, a.Bridge.Stats.ExportDropped);
    }

    [Fact]
    public async Task LocalBrokerRestart_BridgeResubscribes_AndForwardsAgain()
    {
        await using var a = await LocalHost.StartAsync(fixture.Server, "a");
        await using var b = await LocalHost.StartAsync(fixture.Server, "b");
        await using var onB = await b.Client("watcher-b").SubscribeAsync("local.>");

        var generation = a.BridgeLocal.Generation;
        await a.RestartBrokerAsync();
        using (var bound = new CancellationTokenSource(_bound))
        {
            await a.BridgeLocal.WaitForGenerationAsync(generation + 1, bound.Token);
        }

        await a.Client("publisher-after-restart").PublishAsync("local.after", new { n = 1 });

        Assert.Equal("local.after", (await Read.OneAsync(onB)).Topic);
        Assert.Equal(1, a.Bridge.Stats.LocalReconnects);
    }

    private static byte[] Envelope(string topic, string type = "t") => Codec.BusCodec.SerializeEnvelope(new BusEvent(topic, Codec.BusCodec.EmptyMap, type, null, 1.0));

    private static async Task WaitUntilAsync(BusBridge bridge, Func<BridgeStats, bool> condition)
    {
        using var bound = new CancellationTokenSource(_bound);
        while (true)
        {
            var changed = bridge.Changed;
            if (condition(bridge.Stats))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"bridge counters never matched: {bridge.Stats}");
            }
        }
    }
}
