using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// What a bridge's final counters say when it stops with events still on their way (docs/cross-host.md, "`decnet
/// bridge`"): its own nats-server, since the test suspends it.
/// </summary>
[RequiresNatsServer]
public sealed class BridgeStopTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    // About 1 KiB per event, 30 MB in all (as NatsBusStallTests): against a suspended server the bridge's NATS client
    // soon has no room, and what the local broker delivers after that waits in the bridge's export queue.
    private const int _events = 30_000;
    private static readonly TimeSpan _bound = Read.Bound;
    private static readonly string _filler = new('x', 1000);

    [Fact]
    public async Task StopWhileExportsWaitForAStalledServer_CountsWhatTheBridgeStillHeld_AndDisposesBothClients()
    {
        // An import subscription makes the bridge's NATS client connect before the server is suspended.
        await using var a = await LocalHost.StartAsync(fixture.Server, "a", import: ["unused.>"], queueSize: 2 * _events);
        await StopAgainstASuspendedServerAsync(a);

        var stats = a.Bridge.Stats;
        var received = a.Bridge.ExportsReceived;
        var unsent = received - stats.Exported;
        Assert.True(unsent > 1000, $"the bridge held only {unsent} of {received} events at its stop: {stats}");

        // Every event the bridge received and did not hand to NATS was lost in the stop, and is counted as such.
        Assert.True(stats.ExportDropped >= unsent, $"{unsent} events never handed to NATS, export_dropped {stats.ExportDropped}: {stats}");
        Assert.Equal(unsent, a.Bridge.Abandoned.Exports + stats.LoopsBlocked);

        // Counted after both clients closed: nothing the stop line reads can still change.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.BridgeNats.PublishAsync("stop.after", 1).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.BridgeLocal.PublishAsync("stop.after", 1).AsTask());
    }

    [Fact]
    public async Task StopWhileTheNatsClientHoldsExportsTheServerNeverConfirmed_CountsThemDropped_SoEveryExportIsCounted()
    {
        // The server is suspended before the first event: none is ever confirmed by a PONG, the client's buffer (and
        // the socket's) is lost when it closes after its 1 s flush bound, and every event the bridge received is lost
        // or counted. Before, the few thousand the client had taken were counted as exported and nowhere else.
        await using var a = await LocalHost.StartAsync(fixture.Server, "b", import: ["unused.>"], queueSize: 2 * _events);
        await StopAgainstASuspendedServerAsync(a);

        var stats = a.Bridge.Stats;
        var received = a.Bridge.ExportsReceived;
        Assert.True(stats.Exported > 100, $"the NATS client took only {stats.Exported} events before the stop: {stats}");
        Assert.Equal(received, stats.ExportDropped + stats.LoopsBlocked);
        Assert.Equal(stats.Exported, a.BridgeNats.Counters.Dropped);

        // Named apart on the stop line; the one export that waited for room is dropped by the client, not unflushed.
        Assert.InRange(a.Bridge.UnflushedExports, stats.Exported - 1, stats.Exported);
    }

    /// <summary>
    /// Publishes <see cref="_events"/> through <paramref name="host"/>'s bridge while its nats-server is suspended,
    /// then stops the bridge once its NATS client has no room left.
    /// </summary>
    private async Task StopAgainstASuspendedServerAsync(LocalHost host)
    {
        var publisher = host.Client($"publisher-{host.Name}");
        fixture.Server.Suspend();
        try
        {
            for (var i = 0; i < _events; i++)
            {
                await publisher.PublishAsync("stop.seq", new FilledPayload { Seq = i, Filler = _filler });
            }

            // The export pump has waited a whole command timeout for room: everything after it is queued in the bridge.
            await StallWait.UntilAsync(host.BridgeNats, () => host.BridgeNats.GetStats().PublishWaits > 0);
            await host.Bridge.DisposeAsync().AsTask().WaitAsync(_bound);
        }
        finally
        {
            fixture.Server.Resume();
        }
    }
}
