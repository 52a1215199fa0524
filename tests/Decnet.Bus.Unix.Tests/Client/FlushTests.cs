using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary><see cref="UnixSocketBus.FlushAsync"/>: a PING behind the queued publishes whose PONG is a full barrier.</summary>
public sealed class FlushTests
{
    [Fact]
    public async Task Flush_ThenASubscribersOwnFlush_SubscriberHasEveryEvent()
    {
        const int Count = 3000;
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("flush-pub");
        var subscriber = broker.CreateClient("flush-sub", queueSize: 4096);
        await using var sub = await subscriber.SubscribeAsync("flush.>");
        var payload = new Dictionary<string, string> { ["pad"] = new('p', 200) };

        for (var i = 0; i < Count; i++)
        {
            _ = publisher.PublishAsync("flush.n", payload);
        }

        await publisher.FlushAsync().WaitAsync(TestBroker.Bound);
        await subscriber.FlushAsync().WaitAsync(TestBroker.Bound);

        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(Count, sub.Received);
        Assert.Equal(0, sub.Dropped);
    }

    [Fact]
    public async Task Flush_WithKeepalivePingsInFlight_WaitsForItsOwnPong()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        outbox.EnqueueData(Pub(1));
        var flush = outbox.FlushAsync();
        outbox.EnqueuePing(); // a keepalive PING queued later goes out first (control lane): its PONG comes first
        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out _);
        Assert.Equal([.. ClientOutbox.PingFrame, .. Pub(1), .. ClientOutbox.PingFrame], batch.WrittenSpan.ToArray());

        outbox.OnPong();
        Assert.False(flush.IsCompleted);
        outbox.OnPong();
        await flush.WaitAsync(TestBroker.Bound);
    }

    [Fact]
    public async Task Flush_PingDroppedWithTheOldestChunk_GoesAgainBehindTheNewestPublish_AndIsNotCountedAsDropped()
    {
        var outbox = new ClientOutbox(ClientOutbox.ChunkSize, 1024);
        outbox.EnqueueData(new byte[ClientOutbox.ChunkSize - 32]);
        var flush = outbox.FlushAsync();
        var newest = new byte[40];
        var dropped = outbox.EnqueueData(newest); // over the bound: the chunk holding the first PUB and the PING goes

        using var batch = new PooledBufferWriter();
        outbox.Take(batch, 1 << 20, out _);
        Assert.Equal(1, dropped);
        Assert.Equal([.. newest, .. ClientOutbox.PingFrame], batch.WrittenSpan.ToArray());
        outbox.OnPong();
        await flush.WaitAsync(TestBroker.Bound);
    }

    [Fact]
    public async Task Flush_ConnectionEndsFirst_Faults()
    {
        var outbox = new ClientOutbox(1 << 20, 1024);
        var sent = outbox.FlushAsync();
        using (var batch = new PooledBufferWriter())
        {
            outbox.Take(batch, 1 << 20, out _);
        }

        var queued = outbox.FlushAsync();
        Assert.Equal(0, outbox.DropData());

        await Assert.ThrowsAsync<IOException>(() => sent);
        await Assert.ThrowsAsync<IOException>(() => queued);
    }

    private static byte[] Pub(byte marker) => [0xa0, marker];
}
