using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Issue 12, item 3: what a broker (or a squatter posing as one) says reaches the client's log escaped.</summary>
public sealed class ClientLogEscapingTests
{
    private const string _hostile = "\u001b]0;pwned\u0007\r\n<13>1 forged line \u202eevil";

    [Fact]
    public async Task ErrFromTheBroker_ReachesTheClientLogEscaped_InTheHandshakeAndInSession()
    {
        using var dir = new TempSocketDir();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(dir.SocketPath));
        listener.Listen();
        var log = new RecordingLogger<UnixSocketBus>();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), log);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        // Publishing starts the connection loop.
        await bus.PublishAsync("a.b", new { });
        using (var refused = await listener.AcceptAsync(timeout.Token))
        {
            await ReadFrameAsync(refused, timeout.Token);
            await refused.SendAsync(FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.TooManyConnections, _hostile)), SocketFlags.None);
            await log.WaitForAsync(static l => l.Contains("Cannot reach the bus broker", StringComparison.Ordinal));
        }

        using (var session = await listener.AcceptAsync(timeout.Token))
        {
            await ReadFrameAsync(session, timeout.Token);
            var welcome = new WelcomeMessage(ProtocolConstants.Version, 4242, 1 << 20, 256, 1024, 1024);
            // One write: the ERR arrives in the same read as the WELCOME, and must still be handled at once.
            byte[] frames = [.. FrameBytes.Of(b => FrameWriter.WriteWelcome(b, welcome)), .. FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.BadFrame, _hostile))];
            await session.SendAsync(frames, SocketFlags.None);
            await log.WaitForAsync(static l => l.Contains("reported error", StringComparison.Ordinal));
            await log.WaitForAsync(static l => l.Contains("Lost the bus broker", StringComparison.Ordinal));
        }

        Assert.Equal(3, log.Lines.Count(static l => l.Contains("\\u001B]0;pwned\\u0007\\u000D\\u000A<13>1 forged line \\u202Eevil", StringComparison.Ordinal)));
        Assert.All(log.Lines, static line => Assert.False(UntrustedText.NeedsEscaping(line), $"raw character in the client log: {UntrustedText.Escape(line)}"));
    }

    private static async Task ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var pending = Array.Empty<byte>();
        var chunk = new byte[4096];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(pending);
            if (FrameReader.TryParse(ref sequence, 1 << 20, out _))
            {
                return;
            }

            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken);
            Assert.True(read > 0, "the client closed before sending HELLO");
            pending = [.. pending, .. chunk.AsSpan(0, read)];
        }
    }
}
