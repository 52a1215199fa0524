using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// PONG and STATS replies leave after every EVT queued for the connection before the request was read, so PING is a
/// full round-trip barrier (docs/wire-protocol.md, "Ordering").
/// </summary>
public sealed class BarrierTests
{
    private const int _rounds = 5;
    private const int _perRound = 200;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reply_ComesAfterEveryEchoedEvent_QueuedBeforeTheRequest(bool stats)
    {
        var (request, reply) = stats ? (FrameKind.Stats, FrameKind.StatsReply) : (FrameKind.Ping, FrameKind.Pong);
        await using var broker = await TestBroker.StartAsync();
        await using var client = await RawClient.ConnectAsync(broker.SocketPath);
        await client.SendAsync(b => FrameWriter.WriteSub(b, 1, "barrier.echo"));
        Assert.Equal(FrameKind.SubAck, (await client.ReadFrameAsync()).Kind);

        var round = FrameBytes.Of(b =>
        {
            for (var i = 0; i < _perRound; i++)
            {
                FrameWriter.WritePub(b, "barrier.echo", "t", EventId.NewId(), 1.0, new { n = i, pad = new string('p', 64) });
            }

            FrameWriter.WriteSimple(b, request);
        });

        var late = new List<int>();
        for (var r = 0; r < _rounds; r++)
        {
            await client.SendAsync(round);
            var events = 0;
            FrameKind kind;
            while ((kind = (await client.ReadFrameAsync()).Kind) != reply)
            {
                Assert.Equal(FrameKind.Evt, kind);
                events++;
            }

            // Events of this round that arrive after its reply are counted in the next round (or in the tail below).
            late.Add(events);
        }

        await client.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        var tail = 0;
        while ((await client.ReadFrameAsync()).Kind != FrameKind.Pong)
        {
            tail++;
        }

        Assert.Equal(Enumerable.Repeat(_perRound, _rounds), late);
        Assert.Equal(0, tail);
    }
}
