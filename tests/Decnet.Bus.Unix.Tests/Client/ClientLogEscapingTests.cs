using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Issue 12, item 3: what a broker (or a squatter posing as one) says reaches the client's log escaped.</summary>
public sealed class ClientLogEscapingTests
{
    /// <summary>A log line or message quoting 1024 characters of broker text, each escaped to at most ten.</summary>
    private const int _maxQuoteLine = 11_000;

    private const string _hostile = "\u001b]0;pwned\u0007\r\n<13>1 forged line \u202eevil";

    [Fact]
    public async Task ErrFromTheBroker_ReachesTheClientLogEscaped_InTheHandshakeAndInSession()
    {
        await using var broker = new HandPlayedBroker();
        var log = broker.Log;
        await broker.RefuseHandshakeAsync(_hostile);

        using (var session = await broker.AcceptAsync())
        {
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

    [Fact]
    public async Task LongErrTexts_ReachTheLogAndTheSubscribersExceptionCut()
    {
        // Escaped, each ESC is six characters: 60,000 of them (an ERR small enough for the handshake's frame limit)
        // would make lines of 360,000. Cut first, each quote is at most 1024 characters before escaping.
        var hostile = new string('\u001b', 60_000);
        await using var broker = new HandPlayedBroker();
        var (log, bus, timeout) = (broker.Log, broker.Bus, broker.Timeout.Token);
        await broker.RefuseHandshakeAsync(hostile);

        BusSubscriptionRejectedException rejected;
        using (var session = await broker.WelcomeAsync())
        {
            var subscribing = bus.SubscribeAsync("x.>").AsTask();
            await ReadUntilAsync(session, FrameKind.Sub, timeout); // sid 1
            await session.SendAsync(FrameBytes.Of(b => FrameWriter.WriteRequestErr(b, BusErrorCode.InvalidPattern, hostile, FrameKind.Sub, 1)), SocketFlags.None);
            rejected = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(() => subscribing);
            await session.SendAsync(FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.BadFrame, hostile)), SocketFlags.None);
            await log.WaitForAsync(static l => l.Contains("Lost the bus broker", StringComparison.Ordinal));
        }

        Assert.InRange(rejected.Message.Length, 1024, _maxQuoteLine);
        Assert.Contains("more characters)", rejected.Message, StringComparison.Ordinal);
        string[] quoting = ["Cannot reach the bus broker", "refused subscription 1", "reported error", "Lost the bus broker"];
        Assert.All(quoting, text => Assert.Contains(log.Lines, l => l.Contains(text, StringComparison.Ordinal) && l.Contains("more characters)", StringComparison.Ordinal)));
        Assert.All(log.Lines, static line => Assert.InRange(line.Length, 0, _maxQuoteLine));
    }

    [Fact]
    public async Task RefusalsOfSubscriptionsTheClientNeverMade_AreNotOneWarningEach()
    {
        await using var broker = new HandPlayedBroker();
        var (log, bus) = (broker.Log, broker.Bus);
        await broker.Bus.PublishAsync("a.b", new { });
        using var session = await broker.WelcomeAsync();
        var strays = FrameBytes.Of(static b => FrameWriter.WriteRequestErr(b, BusErrorCode.InvalidPattern, "no such pattern", FrameKind.Sub, 999));
        for (var i = 0; i < 20; i++)
        {
            await session.SendAsync(strays, SocketFlags.None);
        }

        // A refused PUB behind them is a barrier: its line is logged once all twenty have been handled.
        await session.SendAsync(FrameBytes.Of(static b => FrameWriter.WriteRequestErr(b, BusErrorCode.InvalidTopic, "barrier", FrameKind.Pub, 0)), SocketFlags.None);
        await log.WaitForAsync(static l => l.Contains("refused a publish", StringComparison.Ordinal));

        Assert.InRange(log.Lines.Count(static l => l.Contains("subscription 999", StringComparison.Ordinal)), 0, 1);
        Assert.True(bus.IsConnected);
    }

    /// <summary>Reads what the client sends until a frame of <paramref name="kind"/> has arrived (frames before it are skipped).</summary>
    private static async Task ReadUntilAsync(Socket socket, FrameKind kind, CancellationToken cancellationToken)
    {
        var pending = Array.Empty<byte>();
        var chunk = new byte[4096];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(pending);
            while (FrameReader.TryParse(ref sequence, 1 << 20, out var frame))
            {
                if (frame.Kind == kind)
                {
                    return;
                }
            }

            pending = sequence.ToArray();
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken);
            Assert.True(read > 0, $"the client closed before sending {kind}");
            pending = [.. pending, .. chunk.AsSpan(0, read)];
        }
    }

    /// <summary>
    /// A socket at a temporary path, playing the broker's side by hand, and a client of it that logs into
    /// <see cref="Log"/>; <see cref="Timeout"/> bounds each step.
    /// </summary>
    private sealed class HandPlayedBroker : IAsyncDisposable
    {
        private readonly TempSocketDir _dir = new();
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public HandPlayedBroker()
        {
            _listener.Bind(new UnixDomainSocketEndPoint(_dir.SocketPath));
            _listener.Listen();
            Bus = new UnixSocketBus(TestBroker.NewOptions(_dir.SocketPath), Log);
        }

        public RecordingLogger<UnixSocketBus> Log { get; } = new();

        public UnixSocketBus Bus { get; }

        public CancellationTokenSource Timeout { get; } = new(TestBroker.Bound);

        /// <summary>Starts the client (a publish does) and answers its first handshake with ERR <paramref name="text"/>.</summary>
        public async Task RefuseHandshakeAsync(string text)
        {
            await Bus.PublishAsync("a.b", new { });
            using var refused = await AcceptAsync();
            await refused.SendAsync(FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.TooManyConnections, text)), SocketFlags.None);
            await Log.WaitForAsync(static l => l.Contains("Cannot reach the bus broker", StringComparison.Ordinal));
        }

        /// <summary>The client's next connection, once its HELLO has arrived.</summary>
        public async Task<Socket> AcceptAsync()
        {
            var session = await _listener.AcceptAsync(Timeout.Token);
            await ReadUntilAsync(session, FrameKind.Hello, Timeout.Token);
            return session;
        }

        /// <summary>The client's next connection, answered with WELCOME and live.</summary>
        public async Task<Socket> WelcomeAsync()
        {
            var session = await AcceptAsync();
            await session.SendAsync(FrameBytes.Of(static b => FrameWriter.WriteWelcome(b, new WelcomeMessage(ProtocolConstants.Version, 4242, 1 << 20, 256, 1024, 1024))), SocketFlags.None);
            await Bus.WaitForGenerationAsync(1, Timeout.Token);
            return session;
        }

        public async ValueTask DisposeAsync()
        {
            await Bus.DisposeAsync();
            _listener.Dispose();
            Timeout.Dispose();
            _dir.Dispose();
        }
    }
}
