using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// Each publishing connection caches its routes per topic within a budget of its own; all connections together stay
/// within the broker's (docs/reliability.md, §2): many connections each caching its fill of unique topics held memory
/// without bound. A quiet publisher's routes are forgotten, and every connection's are when it ends.
/// </summary>
public sealed class RouteCacheMemoryTests
{
    private const long _totalBudget = 256 * 1024;
    private const int _topics = 2000;

    [Fact]
    public async Task ManyConnectionsCachingUniqueTopics_StayWithinTheBrokersTotal_AndGiveItBackWhenQuietOrGone()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(
            o => o.HeartbeatInterval = TimeSpan.Zero,
            logger: log,
            limits: static l => l with { MaxTotalRouteCacheBytes = _totalBudget });
        var hub = broker.Server.Hub!;
        await using var subscriber = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 4 * _topics);
        await subscriber.SendAsync(b => FrameWriter.WriteSub(b, 1, "unique.>"));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);

        for (var c = 0; c < 4; c++)
        {
            await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);
            await publisher.SendAsync([.. Enumerable.Range(0, _topics).SelectMany(t => RawFrames.Pub(System.Text.Encoding.ASCII.GetBytes($"unique.c{c}.t{t}"), "t"u8))]);
            for (var t = 0; t < _topics; t++)
            {
                Assert.Equal(FrameKind.Evt, (await subscriber.ReadFrameAsync()).Kind); // every PUB routed, its topic cached or not
            }

            Assert.InRange(hub.RouteCacheBytes, 1, _totalBudget);
        }

        // The four have ended: the broker-wide count must not drift up and stop all caching for good.
        await log.WaitForLinesAsync("disconnected", 4);
        Assert.Equal(0, hub.RouteCacheBytes);

        // A publisher that goes quiet (a read with nothing to route: here a PING) gives its routes back at once.
        await using var quiet = await RawClient.ConnectAsync(broker.SocketPath);
        await quiet.SendAsync(RawFrames.Pub("unique.quiet"u8, "t"u8));
        Assert.Equal(FrameKind.Evt, (await subscriber.ReadFrameAsync()).Kind);
        Assert.True(hub.RouteCacheBytes > 0);
        await quiet.PingAsync();
        Assert.Equal(0, hub.RouteCacheBytes);
    }
}
