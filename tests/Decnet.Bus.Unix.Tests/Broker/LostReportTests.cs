using System.Buffers;
using System.Globalization;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// LOST frames (docs/wire-protocol.md §3, §7.3): a client that asks in HELLO learns, per sid, how many events the
/// broker dropped from its queue, right before the newer events; a client that does not ask never sees one.
/// </summary>
public sealed class LostReportTests
{
    [Fact]
    public async Task PausedReader_ThatAskedForLost_IsToldEveryDropPerSid_BeforeTheNewerEvents()
    {
        const int Events = 600;
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("publisher");
        await using var paused = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 8, reportLost: true);
        await paused.SendAsync(b => FrameWriter.WriteSub(b, 1, "lost.>"));
        await paused.SendAsync(b => FrameWriter.WriteSub(b, 2, "lost.a"));
        Assert.Equal(FrameKind.SubAck, (await paused.ReadFrameAsync()).Kind);
        Assert.Equal(FrameKind.SubAck, (await paused.ReadFrameAsync()).Kind);

        await PublishWhileNobodyReadsAsync(publisher, Events);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.True(row.Dropped > 0, $"nothing was dropped, so nothing is tested: {row}");

        // seen[sid] + lost[sid] before an event must equal that event's position in the sid's stream.
        var seen = new long[3];
        var lost = new long[3];
        var sids = new List<uint>();
        var lostPairs = new List<(uint Sid, long Count)>();
        for (long evts = 0; evts < row.Delivered - row.Dropped;)
        {
            var (kind, body) = await paused.ReadFrameAsync();
            if (kind == FrameKind.Lost)
            {
                FrameDecoder.ReadLost(new ReadOnlySequence<byte>(body), lostPairs);
                foreach (var (sid, count) in lostPairs)
                {
                    lost[sid] += count;
                }

                continue;
            }

            Assert.Equal(FrameKind.Evt, kind);
            evts++;
            var evt = FrameDecoder.ReadEvent(new ReadOnlySequence<byte>(body), sids);
            var i = Convert.ToInt32(evt.ReadPayloadAsDictionary()["i"], CultureInfo.InvariantCulture);
            foreach (var sid in sids)
            {
                Assert.Equal(sid == 1 ? i : i / 2, seen[sid] + lost[sid]);
                seen[sid]++;
            }
        }

        Assert.Equal(Events, seen[1] + lost[1]);
        Assert.Equal(Events / 2, seen[2] + lost[2]);
        Assert.Equal(row.Dropped, lost[1]);
    }

    [Fact]
    public async Task PausedReader_ThatDidNotAsk_GetsNoLostFrame()
    {
        const int Events = 600;
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("publisher");
        await using var paused = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 8);
        await paused.SendAsync(b => FrameWriter.WriteSub(b, 1, "lost.>"));
        Assert.Equal(FrameKind.SubAck, (await paused.ReadFrameAsync()).Kind);

        await PublishWhileNobodyReadsAsync(publisher, Events);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.True(row.Dropped > 0, $"nothing was dropped, so nothing is tested: {row}");

        for (var evts = 0; evts < row.Delivered - row.Dropped; evts++)
        {
            Assert.Equal(FrameKind.Evt, (await paused.ReadFrameAsync()).Kind);
        }
    }

    /// <summary>Publishes <paramref name="events"/> large events on lost.a / lost.b alternately; returns once the broker routed them all.</summary>
    private static async Task PublishWhileNobodyReadsAsync(UnixSocketBus publisher, int events)
    {
        var filler = new string('x', 2048); // far more than the socket buffers hold, so the broker queue overflows
        for (var i = 0; i < events; i++)
        {
            await publisher.PublishAsync(i % 2 == 0 ? "lost.a" : "lost.b", new { i, filler });
        }

        // STATS travels behind the publishes: once answered, all of them were routed.
        await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
    }
}
