using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

/// <summary>
/// Issue 12, item 7: running out of file descriptors must not abort the broker. A child <c>decnet bus</c> runs under
/// <c>ulimit -n 300</c> (soft and hard, so it cannot raise it) and 400 clients connect at once and say nothing, so
/// the broker's handshake timers (5 s, the default) fire while its descriptor table is full: that used to abort it
/// with "Out of memory." (exit 134), a thread it could not create.
/// </summary>
public sealed class FdExhaustionTests
{
    private const int _fdLimit = 300;
    private const int _flood = 400;

    /// <summary>Runs the CLI under bash with the descriptor limit set (ulimit -n sets soft and hard).</summary>
    private static readonly string[] _lowLimit = ["bash", "-c", $"ulimit -n {_fdLimit} && exec \"$@\"", "bash"];

    [Fact]
    public async Task UnderALowFdLimit_FourHundredConnectingClients_NeitherAbortTheBrokerNorStopAConnectedSubscriber()
    {
        using var dir = new TempSocketDir();
        await using var broker = await BrokerProcess.StartAsync(new Dictionary<string, string>(), _lowLimit, "bus", "--socket", dir.SocketPath, "--group", "");

        // The default 1024 connections cannot fit in 300 descriptors: the broker says so and serves fewer.
        Assert.Contains("DECNET_BUS_MAX_CONNECTIONS", broker.Log, StringComparison.Ordinal);

        await using var subscriber = await RawPeer.ConnectAsync(dir.SocketPath, queueSize: 64, name: "kept");
        await subscriber.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "fd.>")));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);
        await using var publisher = await RawPeer.ConnectAsync(dir.SocketPath, name: "publisher");

        // Barrier: every silent client has been dealt with by the broker (refused, or timed out in the handshake) or
        // the broker is gone; either way its connection ends.
        var flood = Enumerable.Range(0, _flood).Select(_ => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)).ToList();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await Task.WhenAll(flood.Select(socket => ConnectAndAwaitCloseAsync(socket, dir.SocketPath, bound.Token)));
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }

        Assert.False(broker.HasExited, broker.Log);
        await publisher.SendAsync(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "fd.alive", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80])));
        Assert.Equal(FrameKind.Evt, (await subscriber.ReadFrameAsync()).Kind);

        // The accept loop serves newcomers again.
        await using (await RawPeer.ConnectAsync(dir.SocketPath, name: "late"))
        {
        }

        Assert.Equal(0, await broker.TerminateAsync());
        Assert.DoesNotContain("Out of memory", broker.Log, StringComparison.Ordinal);
    }

    /// <summary>Connects without HELLO and reads until the broker ends the connection.</summary>
    private static async Task ConnectAndAwaitCloseAsync(Socket socket, string path, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            var buffer = new byte[256];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset or refused: ended either way.
        }
    }
}
