using System.Diagnostics;
using System.Net.Sockets;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

public sealed class ClientTests
{
    [Fact]
    public async Task Publish_WhileBrokerDown_DoesNotThrowAndCountsDrops()
    {
        using var dir = new TempSocketDir();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        // Returns without an exception once the first connection attempt has failed.
        await using var sub = await bus.SubscribeAsync("a.>");

        for (var i = 0; i < 5; i++)
        {
            await bus.PublishAsync("a.b", new { i });
        }

        Assert.False(bus.IsConnected);
        Assert.Equal(5, bus.Counters.Published);
        Assert.Equal(5, bus.Counters.Dropped);
    }

    [Fact]
    public async Task Publish_InvalidTopic_ThrowsForTheCaller()
    {
        using var dir = new TempSocketDir();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));

        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync("a.*", new { }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync("a.b", 42));
        Assert.Equal(0, bus.Counters.Published);
    }

    [Fact]
    public async Task Publish_AfterDispose_ThrowsObjectDisposed()
    {
        using var dir = new TempSocketDir();
        var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        await bus.DisposeAsync();
        await bus.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.PublishAsync("a.b", new { }));
    }

    [Fact]
    public async Task ConnectAsync_WithoutBroker_ThrowsBusUnavailableNamingThePath()
    {
        using var dir = new TempSocketDir();

        var ex = await Assert.ThrowsAsync<BusUnavailableException>(() => UnixSocketBus.ConnectAsync(TestBroker.NewOptions(dir.SocketPath)));

        Assert.Equal(dir.SocketPath, ex.SocketPath);
        Assert.Contains(dir.SocketPath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_RefusedByTheAllowList_SaysPermissionDeniedQuotingTheBroker()
    {
        // ERR 12 at the handshake is not "no broker": the CLI tells it by the inner exception's type (exit 77).
        await using var broker = await TestBroker.StartAsync(o => o.AllowUids.Add(int.MaxValue - 1));

        var ex = await Assert.ThrowsAsync<BusUnavailableException>(() => UnixSocketBus.ConnectAsync(TestBroker.NewOptions(broker.SocketPath)));

        var denied = Assert.IsType<ConnectDeniedException>(ex.InnerException);
        Assert.Equal(BusErrorCode.PermissionDenied, Assert.IsType<BrokerRefusedException>(denied.InnerException).Code);
        Assert.StartsWith($"bus: permission denied by the broker at {broker.SocketPath}: uid ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not allowed on this bus (DECNET_BUS_ALLOW_UIDS / DECNET_BUS_ALLOW_GIDS)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_WithHungBroker_IsPromptAndEndsIterators()
    {
        using var dir = new TempSocketDir();
        using var hung = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        hung.Bind(new UnixDomainSocketEndPoint(dir.SocketPath));
        hung.Listen(); // accepts at the kernel level, never answers HELLO
        var time = new TimerWatchingTimeProvider(UnixSocketBus.DisposeFlushBound);
        var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), timeProvider: time);
        await bus.PublishAsync("a.b", new { }); // starts the connection, which hangs in the handshake
        var pendingSubscribe = bus.SubscribeAsync("a.>").AsTask();

        // Dispose waits for queued publishes at most DisposeFlushBound (on the bus's clock), never for the handshake's
        // own 5 s timeout: with the flush bound run out on the fake clock, dispose ends long before that timeout.
        var clock = Stopwatch.StartNew();
        var disposing = bus.DisposeAsync().AsTask();
        await time.WatchedTimerCreated.WaitAsync(TestBroker.Bound);
        time.Advance(UnixSocketBus.DisposeFlushBound);
        await disposing.WaitAsync(TestBroker.Bound);
        clock.Stop();

        Assert.True(clock.Elapsed < Decnet.Bus.Unix.Protocol.ProtocolConstants.HandshakeTimeout, $"dispose took {clock.Elapsed}");
        var sub = await pendingSubscribe.WaitAsync(TestBroker.Bound);
        await using var e = sub.GetAsyncEnumerator();
        Assert.False(await e.MoveNextAsync().AsTask().WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task BrokerRestart_ClientsReconnectResubscribeAndCountIt()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("r.>");
        await publisher.PublishAsync("r.before", new { });
        var before = await Receive.NextAsync(sub);
        Assert.Equal("r.before", before.Topic);
        Assert.False(before.MayHaveMissed);

        // The generation counts a connection once its re-subscribe pass has finished, which may be a moment after
        // the first event already flows: await it rather than read it.
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await subscriber.WaitForGenerationAsync(1, timeout.Token);
        Assert.Equal(1, subscriber.Generation);

        await broker.RestartAsync();

        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await publisher.WaitForGenerationAsync(2, timeout.Token);
        Assert.Equal(1, sub.Reconnected);
        await publisher.PublishAsync("r.after", new { });
        var after = await Receive.NextAsync(sub);
        Assert.Equal("r.after", after.Topic);
        Assert.True(after.MayHaveMissed, "the first event after a reconnect must say events may have been missed");
        Assert.Equal(0, after.MissedBefore);
    }

    [Fact]
    public async Task SubscribeWhileDown_GoesLiveWhenTheBrokerStarts_WithoutCountingAReconnect()
    {
        using var dir = new TempSocketDir();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        await using var sub = await bus.SubscribeAsync("late.>");
        await using var server = new BusServer(Microsoft.Extensions.Options.Options.Create(TestBroker.NewOptions(dir.SocketPath)));

        await server.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await bus.WaitForGenerationAsync(1, timeout.Token);
        await bus.PublishAsync("late.one", new { });

        var first = await Receive.NextAsync(sub);
        Assert.Equal("late.one", first.Topic);

        // Returned before the broker confirmed it: what was published until it went live is lost uncounted.
        Assert.True(first.MayHaveMissed);
        Assert.Equal(0, sub.Reconnected);
    }

    [Fact]
    public async Task Dispose_FlushesQueuedPublishes()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        await using var sub = await subscriber.SubscribeAsync("flush.>");
        var publisher = new UnixSocketBus(TestBroker.NewOptions(broker.SocketPath));

        for (var i = 0; i < 50; i++)
        {
            await publisher.PublishAsync("flush.x", new { i });
        }

        await publisher.DisposeAsync();

        Assert.Equal(50, (await Receive.TakeAsync(sub, 50)).Count);
    }
}
