using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    internal const int Mib = 1024 * 1024;

    [Fact]
    public async Task ThousandMiBFramesToANonReader_HoldAtMostTheByteBound_NotAGiB()
    {
        const int Events = 1024;
        await using var broker = await LiveBroker.StartAsync(o =>
        {
            o.MaxFrameBytes = Mib + 4096;
            o.MaxQueueBytes = 16 * Mib;
            o.StallTimeout = TimeSpan.Zero; // this test is about the byte bound, not the stall timeout
        });
        await using var sleeper = await RawPeer.ConnectAsync(broker.SocketPath, queueSize: 1 << 20);
        await sleeper.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "big.>")));
        Assert.Equal(FrameKind.SubAck, (await sleeper.ReadFrameAsync()).Kind);

        await using var publisher = await RawPeer.ConnectAsync(broker.SocketPath);
        var payload = MapOfBinary(Mib - 256);
        var pub = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "big.blob", "blob", "0123456789abcdef0123456789abcdef", 1.0, payload));
        var rssBefore = Environment.WorkingSet;
        for (var i = 0; i < Events; i++)
        {
            await publisher.SendAsync(pub);
        }

        // PING after the PUBs: its PONG means the broker has routed all of them (one connection is handled in order).
        await publisher.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));
        Assert.Equal(FrameKind.Pong, (await publisher.ReadFrameAsync()).Kind);

        var row = broker.Server.GetStats().Connections.Single(c => c.Subscriptions == 1);
        var rssGrowth = Environment.WorkingSet - rssBefore;
        output.WriteLine($"{Events} x {pub.Length} B published to a non-reader: queued {row.Queued} events / {row.QueuedBytes} B, dropped {row.Dropped}, delivered {row.Delivered}; RSS grew {rssGrowth / Mib} MiB");

        Assert.Equal(Events, row.Delivered);
        Assert.True(row.QueuedBytes <= 16 * Mib, $"{row.QueuedBytes} bytes queued");
        Assert.True(row.Dropped >= Events - 20, $"only {row.Dropped} dropped");
        Assert.True(rssGrowth < 256L * Mib, $"RSS grew by {rssGrowth / Mib} MiB");
    }

    [Fact]
    public async Task ASubscriberThatStopsReading_IsDisconnectedAfterTheStallTimeout_WithAReason()
    {
        var log = new RecordingLogger<BusServer>();
        await using var broker = await LiveBroker.StartAsync(
            o =>
            {
                o.MaxFrameBytes = 128 * 1024;
                o.StallTimeout = TimeSpan.FromMilliseconds(500);
                o.IdleTimeout = TimeSpan.Zero;
            },
            log);
        var baseline = broker.Server.GetStats().Connections.Count;
        await using var sleeper = await RawPeer.ConnectAsync(broker.SocketPath);
        await sleeper.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "big.>")));
        Assert.Equal(FrameKind.SubAck, (await sleeper.ReadFrameAsync()).Kind);
        var stalled = broker.NextRejection(BusErrorCode.Stalled);

        // Enough bytes to fill the kernel buffers of a peer that reads nothing, so the broker's write stays pending.
        var publisher = broker.CreateClient("publisher");
        var reader = broker.CreateClient("keeps-reading");
        await using var readerSub = await reader.SubscribeAsync("big.>");
        var payload = new Dictionary<string, byte[]> { ["blob"] = new byte[100_000] };
        for (var i = 0; i < 64; i++)
        {
            await publisher.PublishAsync("big.blob", payload, cancellationToken: CancellationToken.None);
        }

        await stalled.WaitAsync(LiveBroker.Bound);

        // The sleeper's socket is closed: draining it ends in EOF (no ERR fits into a full socket buffer).
        await sleeper.ReadUntilClosedAsync(LiveBroker.Bound);
        Assert.Equal(1, broker.Rejections("stalled"));

        // The socket is shut down when the stall is decided, before the connection is torn down: its "disconnected"
        // line, logged once it is unregistered, is the barrier.
        await log.WaitForAsync(static line => line.Contains("disconnected", StringComparison.Ordinal));
        Assert.Equal(baseline + 2, broker.Server.GetStats().Connections.Count); // publisher and reader stay

        // The subscriber that kept reading was never held back.
        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        var got = 0;
        await foreach (var _ in readerSub.WithCancellation(bound.Token))
        {
            if (++got == 64)
            {
                break;
            }
        }

        Assert.Equal(0, readerSub.Dropped);
    }

    /// <summary>A MessagePack map {"b": bin32 of <paramref name="size"/> bytes}.</summary>
    private static byte[] MapOfBinary(int size)
    {
        var payload = new byte[8 + size];
        payload[0] = 0x81;
        payload[1] = 0xa1;
        payload[2] = (byte)'b';
        payload[3] = 0xc6;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)size);
        return payload;
    }
}
