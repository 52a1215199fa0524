using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// Catch-up waits end to end (docs/Service-Bus.md, "Catch-up waits"): a publisher flooding a subscriber that keeps
/// reading is slowed to it instead of the subscriber losing events, and a subscriber that stopped reading costs the
/// publisher one bounded wait, not one per read.
/// </summary>
public sealed class CatchUpWaitTests
{
    private static readonly TimeSpan _generousWait = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AFloodToACountingHandler_LosesNothing()
    {
        // 200,000 events, each awaited, as fast as the publisher can: without catch-up waits the subscriber, which
        // shares two cores with the publisher and the broker, lost a fifth of them or more (docs/performance.md).
        const int Events = 200_000;
        await using var broker = await TestBroker.StartAsync(o => o.CatchUpWait = _generousWait);
        var subscriber = broker.CreateClient("counter", configure: o => o.CatchUpWait = _generousWait);
        var publisher = broker.CreateClient("flood");
        var received = 0;
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await subscriber.SubscribeAsync("flood.>", (delivery, _) =>
        {
            // Per-publisher order: once the end marker is handled, every event before it was handled or dropped.
            if (delivery.Type == "end")
            {
                end.TrySetResult();
            }
            else
            {
                received++;
            }

            return ValueTask.CompletedTask;
        });

        var payload = new Dictionary<string, int> { ["n"] = 1 };
        for (var i = 0; i < Events; i++)
        {
            await publisher.PublishAsync("flood.e", payload);
        }

        await publisher.PublishAsync("flood.e", payload, "end");
        await end.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var counter = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "counter");
        Assert.True(
            received == Events,
            $"received {received} of {Events}: the handler's ring dropped {subscription.Dropped}, the broker's queue {counter.Dropped}, the publisher {publisher.Counters.Dropped}");
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(0, publisher.Counters.Dropped);
        Assert.Equal(0, subscriber.Counters.Dropped);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "counter");
        Assert.Equal(0, row.Dropped);
        Assert.Equal(Events + 1, row.Delivered);
    }

    [Fact]
    public async Task ASubscriberWithAQueueSmallerThanTheBrokersDefault_IsNeverWaitedFor()
    {
        // HELLO lets a client choose its queue size, and the catch-up marks scale with it: at queue_size 1 one queued
        // event was "behind", so a subscriber reading one event per bound held every publisher it matched to that pace
        // (up to ten bounds per event). The broker's clock never moves here: a single wait would never end.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero, time);
        await using var tiny = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 1); // never reads
        await tiny.SendAsync(b => FrameWriter.WriteSub(b, 1, "tiny.>"));
        Assert.Equal(FrameKind.SubAck, (await tiny.ReadFrameAsync()).Kind);
        var publisher = broker.CreateClient("publisher");
        var filler = new string('x', 64 * 1024);

        for (var i = 0; i < 64; i++)
        {
            await publisher.PublishAsync("tiny.e", new { i, filler }); // 4 MiB: well past the kernel's buffers
        }

        await publisher.FlushAsync().WaitAsync(TestBroker.Bound); // its PONG: no read of the publisher was held

        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.True(row.Dropped > 0, "the full queue should have dropped its oldest events instead");
    }

    [Fact]
    public async Task WhetherAQueueIsWaitedFor_DependsOnItsSize_NotOnALargerBrokerDefault()
    {
        // A broker configured with larger queues than its clients ask for still waits for an ordinary client's 1024.
        await using var broker = await TestBroker.StartAsync(o => o.QueueSize = 4096);
        await using var ordinary = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 1024);
        await using var small = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 1023);
        await ordinary.PingAsync(); // each PONG: its HELLO was handled
        await small.PingAsync();

        var queues = broker.Server.Hub!.Connections.Select(c => c.Outbound).ToList();
        Assert.Equal(256, queues.Single(q => q.QueueSize == 1024).CatchUpStep);
        Assert.Equal(int.MaxValue, queues.Single(q => q.QueueSize == 1023).CatchUpStep);
    }

    [Fact]
    public async Task AReaderThatStopped_CostsOneBoundedWait_NotOnePerRead()
    {
        // 4,000 x 2 KiB is about 125 reads of the publisher's socket: one 1 s wait per read would take minutes, far
        // past the bound below; one wait in all takes about a second.
        const int Events = 4000;
        await using var broker = await TestBroker.StartAsync(o => o.CatchUpWait = _generousWait);
        var healthy = broker.CreateClient("healthy", queueSize: 2 * Events);
        var publisher = broker.CreateClient("publisher");
        await using var sub = await healthy.SubscribeAsync("load.>", new SubscriptionOptions { QueueSize = 2 * Events });
        await using var stopped = await RawClient.ConnectAsync(broker.SocketPath); // the broker's default queue: waited for
        await stopped.SendAsync(b => FrameWriter.WriteSub(b, 1, "load.>"));
        Assert.Equal(FrameKind.SubAck, (await stopped.ReadFrameAsync()).Kind);
        var filler = new string('x', 2048);

        var flood = Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++)
            {
                await publisher.PublishAsync("load.e", new { i, filler });
            }

            await publisher.FlushAsync();
        });
        await flood.WaitAsync(TimeSpan.FromSeconds(30));

        var received = await Receive.TakeAsync(sub, Events);
        Assert.Equal(Events, received.Count);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "raw");
        Assert.True(row.Dropped > 0, $"the stopped reader dropped nothing: {row}");
        Assert.Equal(Events, row.Delivered);
    }
}
