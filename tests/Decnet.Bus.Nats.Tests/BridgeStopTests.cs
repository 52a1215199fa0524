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
        var publisher = a.Client("publisher-a");

        fixture.Server.Suspend();
        try
        {
            for (var i = 0; i < _events; i++)
            {
                await publisher.PublishAsync("stop.seq", new FilledPayload { Seq = i, Filler = _filler });
            }

            // The export pump has waited a whole command timeout for room: everything after it is queued in the bridge.
            await StallWait.UntilAsync(a.BridgeNats, () => a.BridgeNats.GetStats().PublishWaits > 0);
            await a.Bridge.DisposeAsync().AsTask().WaitAsync(_bound);
        }
        finally
        {
            fixture.Server.Resume();
        }

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
}
