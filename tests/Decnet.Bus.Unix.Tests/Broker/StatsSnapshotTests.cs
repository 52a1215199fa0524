using System.Buffers;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>STATS replies come from a snapshot at most 100 ms old that no counter change has outdated (docs/wire-protocol.md, "STATS").</summary>
public sealed class StatsSnapshotTests
{
    [Fact]
    public async Task Stats_WithinMaxAge_AndNothingChanged_IsTheSameSnapshot_ThenANewOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(time: time);
        await using var client = await RawClient.ConnectAsync(broker.SocketPath);

        var first = await StatsAsync(client);
        time.Advance(StatsReplyCache.MaxAge - TimeSpan.FromMilliseconds(1));
        var reused = await StatsAsync(client);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var fresh = await StatsAsync(client);

        Assert.Equal(first.UptimeSeconds, reused.UptimeSeconds);
        Assert.Equal(first.UptimeSeconds + StatsReplyCache.MaxAge.TotalSeconds, fresh.UptimeSeconds, 6);
    }

    [Fact]
    public async Task Stats_AfterAPublish_CountsIt_EvenWithinMaxAge()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(time: time);
        await using var client = await RawClient.ConnectAsync(broker.SocketPath);

        var before = await StatsAsync(client);
        await client.SendAsync(b => FrameWriter.WritePub(b, "stats.nobody", "t", EventId.NewId(), 1.0, new { n = 1 }));
        var after = await StatsAsync(client);

        Assert.Equal(before.Published + 1, after.Published);
        Assert.Equal(before.UptimeSeconds, after.UptimeSeconds);
    }

    private static async Task<BrokerStats> StatsAsync(RawClient client)
    {
        await client.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Stats));
        var (kind, body) = await client.ReadFrameAsync();
        Assert.Equal(FrameKind.StatsReply, kind);
        return FrameDecoder.ReadStatsReply(new ReadOnlySequence<byte>(body));
    }
}
