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
}
