using System.Diagnostics;
using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The client's handshake waits in the kernel on a thread of its own (docs/performance-history-4.md, part 23); its
/// timeout (on the bus's clock) and the caller's cancellation each shut the socket down, which ends the wait.
/// </summary>
public sealed class HandshakeTests
{
    [Fact]
    public async Task ABrokerThatNeverAnswers_TimesTheHandshakeOut_OnTheBusClock()
    {
        using var dir = new TempSocketDir();
        using var hung = Listen(dir.SocketPath);
        var time = new FakeTimeProvider();
        var clock = Stopwatch.StartNew();

        var connecting = ConnectAsync(dir.SocketPath, time, CancellationToken.None);
        await using var peer = await AcceptHelloAsync(hung); // the client waits for WELCOME now
        Assert.False(connecting.IsCompleted);

        time.Advance(ProtocolConstants.HandshakeTimeout);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => connecting.WaitAsync(TestBroker.Bound));
        Assert.Contains("no WELCOME", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < ProtocolConstants.HandshakeTimeout, $"timed out after {clock.Elapsed}: not by the fake clock");
    }

    [Fact]
    public async Task TheCallersCancellation_EndsAWaitingHandshake_AsACancellation()
    {
        using var dir = new TempSocketDir();
        using var hung = Listen(dir.SocketPath);
        using var cancel = new CancellationTokenSource();

        var connecting = ConnectAsync(dir.SocketPath, new FakeTimeProvider(), cancel.Token);
        await using var peer = await AcceptHelloAsync(hung);
        Assert.False(connecting.IsCompleted);

        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting.WaitAsync(TestBroker.Bound));
        Assert.Equal(cancel.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task ABrokerThatClosesBeforeWelcome_FailsTheHandshake_AsAClosedConnection()
    {
        using var dir = new TempSocketDir();
        using var hung = Listen(dir.SocketPath);

        var connecting = ConnectAsync(dir.SocketPath, new FakeTimeProvider(), CancellationToken.None);
        await (await AcceptHelloAsync(hung)).DisposeAsync(); // closes before WELCOME

        var ex = await Assert.ThrowsAsync<IOException>(() => connecting.WaitAsync(TestBroker.Bound));
        Assert.Contains("closed the connection during the handshake", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancelledToken_ConnectsNothing()
    {
        using var dir = new TempSocketDir();
        using var listener = Listen(dir.SocketPath);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConnectAsync(dir.SocketPath, new FakeTimeProvider(), new CancellationToken(canceled: true)));

        Assert.False(listener.Poll(0, SelectMode.SelectRead)); // no connection waits to be accepted
    }

    [Fact]
    public async Task AnErrInsteadOfWelcome_IsTheBrokersRefusal()
    {
        using var dir = new TempSocketDir();
        using var listener = Listen(dir.SocketPath);

        var connecting = ConnectAsync(dir.SocketPath, new FakeTimeProvider(), CancellationToken.None);
        await using var peer = await AcceptHelloAsync(listener);
        await peer.SendAsync(b => FrameWriter.WriteErr(b, BusErrorCode.TooManyConnections, "no thanks"));

        var ex = await Assert.ThrowsAsync<BrokerRefusedException>(() => connecting.WaitAsync(TestBroker.Bound));
        Assert.Contains("no thanks", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue, 256, 1024, "max_frame 2147483647")] // 2 × max_frame wrapped to a 4 GiB receive limit
    [InlineData(1 << 30, 256, 1024, "max_frame 1073741824")]
    [InlineData(DecnetBusOptionsValidator.MaxFrameBytesLimit + 1, 256, 1024, "max_frame 67108865")]
    [InlineData(ProtocolConstants.MinMaxFrame - 1, 256, 1024, "max_frame 4095")]
    [InlineData(0, 256, 1024, "max_frame 0")]
    [InlineData(-1, 256, 1024, "max_frame -1")]
    [InlineData(1 << 20, 0, 1024, "max_topic 0")]
    [InlineData(1 << 20, 256, -5, "max_subs -5")]
    public async Task AWelcomeWithLimitsNoBrokerSends_IsRefused_AndTheSocketClosed(int maxFrame, int maxTopic, int maxSubs, string named)
    {
        using var dir = new TempSocketDir();
        using var listener = Listen(dir.SocketPath);

        var connecting = ConnectAsync(dir.SocketPath, new FakeTimeProvider(), CancellationToken.None);
        await using var peer = await AcceptHelloAsync(listener);
        await peer.SendAsync(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(ProtocolConstants.Version, 4242, maxFrame, maxTopic, maxSubs, 1024)));

        var ex = await Assert.ThrowsAsync<ProtocolException>(() => connecting.WaitAsync(TestBroker.Bound));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        await Assert.ThrowsAsync<EndOfStreamException>(peer.ReadFrameAsync); // the client closed its end
    }

    [Fact]
    public async Task ABusGivenAWelcomeWithMaxFrameZero_RefusesIt_AndItsPublishesAreDroppedNotThrown()
    {
        using var dir = new TempSocketDir();
        using var listener = Listen(dir.SocketPath);
        var log = new RecordingLogger();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), log);

        await bus.PublishAsync("welcome.first", new { }); // starts the connection
        await using (var peer = await AcceptHelloAsync(listener))
        {
            await peer.SendAsync(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(ProtocolConstants.Version, 4242, 0, 256, 1024, 1024)));
            await log.WaitForAsync(static l => l.Contains("Connected to the bus broker", StringComparison.Ordinal) || l.Contains("Cannot reach the bus broker", StringComparison.Ordinal));
        }

        // Trusted, max_frame 0 made every publish throw "the broker accepts at most 0".
        await bus.PublishAsync("welcome.second", new { });

        Assert.False(bus.IsConnected);
        Assert.Equal(2, bus.Counters.Dropped);
        Assert.Contains(log.Lines, static l => l.Contains("Cannot reach the bus broker", StringComparison.Ordinal) && l.Contains("max_frame 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AListenerWithAFullBacklog_FailsTheConnectSoon()
    {
        using var dir = new TempSocketDir();
        using var listener = Listen(dir.SocketPath, backlog: 0);
        using var first = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        first.Connect(new UnixDomainSocketEndPoint(dir.SocketPath)); // fills the backlog: never accepted
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(dir.SocketPath, new FakeTimeProvider(), CancellationToken.None).WaitAsync(TestBroker.Bound));

        Assert.Equal(SocketError.WouldBlock, ex.SocketErrorCode);
        Assert.True(clock.Elapsed < ProtocolConstants.HandshakeTimeout, $"the connect waited {clock.Elapsed}");
    }

    private static Socket Listen(string path, int backlog = 16)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(backlog);
        return listener;
    }

    /// <summary>Accepts the client's connection and reads its HELLO, as a broker would before answering.</summary>
    private static async Task<RawClient> AcceptHelloAsync(Socket listener)
    {
        var peer = RawClient.Accepted(await listener.AcceptAsync().WaitAsync(TestBroker.Bound));
        Assert.Equal(FrameKind.Hello, (await peer.ReadFrameAsync()).Kind);
        return peer;
    }

    private static Task<ClientConnection> ConnectAsync(string path, TimeProvider time, CancellationToken cancellationToken)
        => ClientConnection.ConnectAsync(
            path,
            new HelloMessage(ProtocolConstants.Version, "handshake-test", Echo: true, QueueSize: 16, MaxFrame: 0),
            new ClientOutbox(1 << 20, 1024),
            _ => null,
            _ => { },
            new BusCounterSet("test"),
            NullLogger.Instance,
            TimeSpan.Zero,
            TimeSpan.Zero,
            0,
            time,
            new BrokerIdentity(path, configuredUid: null),
            cancellationToken);
}
