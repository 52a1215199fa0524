using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// Each publishing connection caches its routes per topic within a budget of its own; all connections together stay
/// within the broker's (docs/reliability.md, limits): many connections each caching its fill of unique topics would
/// otherwise hold memory without bound, and an idle one keeps its cache until it publishes again.
/// </summary>
public sealed class RouteCacheMemoryTests
{
    private const long _totalBudget = 256 * 1024;

    [Fact]
    public async Task ManyConnectionsCachingUniqueTopics_StayWithinTheBrokersTotal_AndGiveItBackWhenTheyEnd()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(
            o => o.HeartbeatInterval = TimeSpan.Zero,
            logger: log,
            limits: static l => l with { MaxTotalRouteCacheBytes = _totalBudget });
        var hub = broker.Server.Hub!;

        for (var c = 0; c < 4; c++)
        {
            await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
            var frames = new List<byte>();
            for (var t = 0; t < 2000; t++)
            {
                frames.AddRange(RawFrames.Pub(System.Text.Encoding.ASCII.GetBytes($"unique.c{c}.t{t}"), "t"u8));
            }

            await raw.SendAsync([.. frames]);
            await raw.PingAsync(); // every PUB before the PING was routed (and its topic cached, or not)
            Assert.InRange(hub.RouteCacheBytes, 1, _totalBudget);
        }

        // Each connection's end gives its share back: the broker-wide count must not drift up and stop all caching.
        await log.WaitForAsync(_ => log.Lines.Count(l => l.Contains("disconnected", StringComparison.Ordinal)) >= 4);
        Assert.Equal(0, hub.RouteCacheBytes);
    }
}
