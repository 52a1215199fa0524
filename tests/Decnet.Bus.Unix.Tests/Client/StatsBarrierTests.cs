using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>STATS travels behind the client's queued publishes, so its reply is a barrier: they have all been routed.</summary>
public sealed class StatsBarrierTests
{
    [Fact]
    public void Outbox_OrderedFrame_GoesBehindQueuedPublishes_ControlFramesGoFirst()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        byte[] pubA = [0xa1];
        byte[] sub = [0xb1];
        byte[] stats = [0xc1];
        byte[] pubB = [0xa2];
        outbox.EnqueueData(pubA);
        outbox.EnqueueControl(sub);
        outbox.EnqueueOrdered(stats);
        outbox.EnqueueData(pubB);

        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out var taken);

        Assert.Equal(4, taken);
        Assert.Equal([0xb1, 0xa1, 0xc1, 0xa2], batch.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task GetBrokerStats_AfterABurstOfPublishes_CountsEveryOne()
    {
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("barrier");
        var payload = new Dictionary<string, string> { ["pad"] = new('p', 100) };
        await publisher.PublishAsync("barrier.first", payload);
        await publisher.WaitForGenerationAsync(1, CancellationToken.None).WaitAsync(TestBroker.Bound);

        const int Burst = 20_000;
        for (var i = 0; i < Burst; i++)
        {
            _ = publisher.PublishAsync("barrier.burst", payload);
        }

        var stats = await publisher.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);

        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(Burst + 1, stats.Published);
    }

    [Fact]
    public async Task GetBrokerStats_WhoseStatsAFullOutboxDropped_IsAnswered_AndTheNextReplyIsItsOwn()
    {
        using var dir = new TempSocketDir();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));

        // Disposed before the bus: closing the stuck socket is what lets the bus's send loop end.
        await using var broker = new StuckBroker(dir.SocketPath);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var payload = new Dictionary<string, byte[]> { ["blob"] = new byte[32 * 1024] };
        await bus.PublishAsync("stats.start", payload);
        await broker.Welcomed.WaitAsync(timeout.Token);
        await bus.WaitForGenerationAsync(1, timeout.Token);
        long published = 1;

        // The socket fills (the broker reads nothing), so the STATS waits in the outbox, and then the publishes behind
        // it overflow the outbox, which drops its oldest chunks, the STATS's among them.
        var full = bus.SocketFullAsync();
        for (var i = 0; i < 256; i++, published++)
        {
            _ = bus.PublishAsync("stats.fill", payload);
        }

        await full.WaitAsync(timeout.Token);
        var first = bus.GetBrokerStatsAsync();
        for (var i = 0; i < (ProtocolConstants.MaxQueuedBytesPerConnection / (32 * 1024)) + 64; i++, published++)
        {
            _ = bus.PublishAsync("stats.overflow", payload);
        }

        Assert.True(bus.Counters.Dropped > 0, "the outbox dropped nothing");
        var answering = broker.AnswerStatsAsync(replies: 2);
        await first.WaitAsync(timeout.Token);
        var second = await bus.GetBrokerStatsAsync().WaitAsync(timeout.Token);
        var read = await answering.WaitAsync(timeout.Token);

        // The second reply is the one to the second STATS, sent behind every publish; and a STATS is not a publish.
        Assert.Equal(read, second.Published);
        Assert.Equal(published, read + bus.Counters.Dropped);
    }
}
