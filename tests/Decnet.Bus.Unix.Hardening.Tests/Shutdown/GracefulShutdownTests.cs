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
        using (var batch = new PooledBufferWriter())
        {
            for (var i = 0; i < Events; i++)
            {
                FrameWriter.WritePubRaw(batch, "drain.seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "0123456789abcdef0123456789abcdef", 1.0, [0x80]);
            }

            FrameWriter.WriteSimple(batch, FrameKind.Ping);
            await publisher.SendAsync(batch.WrittenSpan.ToArray());
        }

        // PONG: the broker has routed all N publishes. Stop right away, with events still queued.
        Assert.Equal(FrameKind.Pong, (await publisher.ReadFrameAsync()).Kind);
        await broker.Server.StopAsync(CancellationToken.None).WaitAsync(LiveBroker.Bound);

        var (events, inOrder, sawBye) = await reading.WaitAsync(LiveBroker.Bound);
        Assert.Equal(Events, events);
        Assert.True(inOrder);
        Assert.True(sawBye);
        Assert.False(File.Exists(broker.SocketPath));
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
