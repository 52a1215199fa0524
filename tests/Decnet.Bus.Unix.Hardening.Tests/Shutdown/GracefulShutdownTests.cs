using System.Buffers;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;


namespace Decnet.Bus.Unix.Hardening.Tests.Shutdown;

public sealed class GracefulShutdownTests
{
    /// <summary>
    /// StopAsync is what the host runs on SIGTERM: every event routed before it reaches a subscriber that keeps up,
    /// then BYE, then the socket file is gone.
    /// </summary>
    [Fact]
    public async Task Stop_DrainsEveryRoutedEventToAKeepingUpSubscriber_ThenBye_AndRemovesTheSocket()
    {
        const int Events = 20_000;
        await using var broker = await LiveBroker.StartAsync();
        await using var subscriber = await RawPeer.ConnectAsync(broker.SocketPath, queueSize: Events);
        await subscriber.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "drain.>")));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);

        // The subscriber reads as fast as it can from the start, as a consumer that keeps up does.
        var reading = ReadEventsUntilCloseAsync(subscriber);

        await using var publisher = await RawPeer.ConnectAsync(broker.SocketPath);
        await publisher.SendAsync(Publishes(Events));

        // PONG: the broker has routed all N publishes. Stop right away, with events still queued.
        Assert.Equal(FrameKind.Pong, (await publisher.ReadFrameAsync()).Kind);
        await broker.Server.StopAsync(CancellationToken.None).WaitAsync(LiveBroker.Bound);

        var (events, inOrder, sawBye) = await reading.WaitAsync(LiveBroker.Bound);
        Assert.Equal(Events, events);
        Assert.True(inOrder);
        Assert.True(sawBye);
        Assert.False(File.Exists(broker.SocketPath));
    }

    /// <summary>The same guarantee through the production path: <c>decnet bus</c> in its own process, stopped by SIGTERM.</summary>
    [Fact]
    public async Task Sigterm_OnDecnetBus_DrainsEveryRoutedEvent_SendsBye_ExitsZero_AndRemovesTheSocket()
    {
        const int Events = 5_000;
        var directory = Directory.CreateTempSubdirectory("dnh").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        try
        {
            await using var broker = await BrokerProcess.StartAsync(socketPath);
            await using var subscriber = await RawPeer.ConnectAsync(socketPath, queueSize: Events);
            await subscriber.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "drain.>")));
            Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);
            var reading = ReadEventsUntilCloseAsync(subscriber);

            await using var publisher = await RawPeer.ConnectAsync(socketPath);
            await publisher.SendAsync(Publishes(Events));
            Assert.Equal(FrameKind.Pong, (await publisher.ReadFrameAsync()).Kind);

            Assert.Equal(0, await broker.TerminateAsync());
            var (events, inOrder, sawBye) = await reading.WaitAsync(LiveBroker.Bound);
            Assert.Equal(Events, events);
            Assert.True(inOrder);
            Assert.True(sawBye, broker.Log);
            Assert.False(File.Exists(socketPath));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>N PUB frames numbered by their type, then a PING whose PONG proves the broker routed them all.</summary>
    private static byte[] Publishes(int count)
    {
        using var batch = new PooledBufferWriter();
        for (var i = 0; i < count; i++)
        {
            FrameWriter.WritePubRaw(batch, "drain.seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "0123456789abcdef0123456789abcdef", 1.0, [0x80]);
        }

        FrameWriter.WriteSimple(batch, FrameKind.Ping);
        return batch.WrittenSpan.ToArray();
    }

    private static async Task<(int Events, bool InOrder, bool SawBye)> ReadEventsUntilCloseAsync(RawPeer peer)
    {
        await Task.Yield();
        var count = 0;
        var inOrder = true;
        var sawBye = false;
        var sids = new List<uint>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await peer.TryReadFrameAsync(bound.Token) is { } frame)
        {
            if (frame.Kind == FrameKind.Evt)
            {
                var evt = FrameDecoder.ReadEvent(new ReadOnlySequence<byte>(frame.Body), sids);
                inOrder &= evt.Type == count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                count++;
            }
            else if (frame.Kind == FrameKind.Bye)
            {
                sawBye = true;
            }
        }

        return (count, inOrder, sawBye);
    }
}
