using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class SlowConnectionTests
{
    [Fact]
    public async Task ConnectionThatNeverReads_LosesOldestInTheBroker_WhileOthersGetEverything()
    {
        const int Events = 3000;
        await using var broker = await TestBroker.StartAsync();
        var healthy = broker.CreateClient("healthy", queueSize: 2 * Events);
        var publisher = broker.CreateClient("publisher");
        await using var sub = await healthy.SubscribeAsync("load.>", new SubscriptionOptions { QueueSize = 2 * Events });
        await using var stalled = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 8);
        await stalled.SendAsync(b => FrameWriter.WriteSub(b, 1, "load.>"));
        Assert.Equal(FrameKind.SubAck, (await stalled.ReadFrameAsync()).Kind);
        var filler = new string('x', 2048); // 3000 x 2 KiB is far more than the socket buffers hold

        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("load.e", new { i, filler });
        }

        var received = await Receive.TakeAsync(sub, Events);
        Assert.Equal(Enumerable.Range(0, Events), received.Select(e => Convert.ToInt32(e.ReadPayloadAsDictionary()["i"], System.Globalization.CultureInfo.InvariantCulture)));
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.True(row.Dropped > 0, $"the stalled connection dropped nothing: {row}");
        Assert.True(row.Queued <= 8, $"queue above its bound: {row}");
        Assert.Equal(Events, row.Delivered);
    }

    [Fact]
    public async Task ConnectionThatPausesReading_GetsEveryEventInOrder_WhenItReadsAgain()
    {
        // 3000 x 2 KiB is several times what the socket buffers hold (1 MiB on each side by default), so the broker's
        // inline write to this connection comes back partial: the unsent tail must go out first, before the send loop's
        // later frames, byte-exact.
        const int Events = 3000;
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("publisher");
        await using var paused = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 2 * Events);
        await paused.SendAsync(b => FrameWriter.WriteSub(b, 7, "pause.>"));
        Assert.Equal(FrameKind.SubAck, (await paused.ReadFrameAsync()).Kind);
        var filler = new string('x', 2048);

        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("pause.e", new { i, filler });
        }

        // STATS travels behind the publishes: once it is answered, all of them were routed while nobody read.
        await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.Equal(Events, row.Delivered);
        Assert.Equal(0, row.Dropped);

        var sids = new List<uint>();
        for (var i = 0; i < Events; i++)
        {
            var (kind, body) = await paused.ReadFrameAsync();
            Assert.Equal(FrameKind.Evt, kind);
            var evt = FrameDecoder.ReadEvent(new System.Buffers.ReadOnlySequence<byte>(body), sids);
            Assert.Equal([7u], sids);
            Assert.Equal(i, Convert.ToInt32(evt.ReadPayloadAsDictionary()["i"], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
