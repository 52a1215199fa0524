using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

public sealed class KeepaliveTests
{
    // Long enough that a loaded CI machine still sends the PING within the two-interval bound on the first connection.
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Keepalive_BrokerNeverAnswersPing_ClientPingsThenReconnects()
    {
        using var dir = new TempSocketDir();
        await using var broker = new SilentBroker(dir.SocketPath, answerPings: false);
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.KeepaliveInterval = Interval;
        await using var bus = new UnixSocketBus(options);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        await bus.PublishAsync("a.b", new { }); // starts the connection
        await bus.WaitForGenerationAsync(1, timeout.Token);
        var pingedOn = await broker.PingsReceived.Task.WaitAsync(timeout.Token);
        await bus.WaitForGenerationAsync(2, timeout.Token);

        Assert.Equal(1, pingedOn);
        Assert.True(broker.Connections >= 2, $"connections: {broker.Connections}");
    }

    [Fact]
    public async Task Keepalive_BrokerAnswersPing_ConnectionStays()
    {
        using var dir = new TempSocketDir();
        // Without PONGs the client gives up after one PING and 2 silent intervals; two PINGs on one connection
        // therefore prove that answered PINGs keep it. A longer interval keeps a loaded machine from missing a PONG.
        await using var broker = new SilentBroker(dir.SocketPath, answerPings: true, pingsToSignal: 2);
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.KeepaliveInterval = TimeSpan.FromMilliseconds(400);
        var log = new ListLogger<UnixSocketBus>();
        await using var bus = new UnixSocketBus(options, log);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        await bus.PublishAsync("a.b", new { });
        var pingedOn = await broker.PingsReceived.Task.WaitAsync(timeout.Token);

        Assert.True(pingedOn == 1, string.Join(" | ", log.Entries.Select(e => e.Message)));
        Assert.Equal(1, broker.Connections);
        Assert.Equal(1, bus.Generation);
    }

    [Fact]
    public async Task AKeepaliveUnderAMillisecond_SetInCode_StillReconnectsAfterABrokerRestart()
    {
        // Options set in code skip the validator. A PeriodicTimer takes no period under 1 ms: unclamped, the keepalive
        // loop failed at once, and when the broker restarted the connection's end rethrew it, skipping the clean-up,
        // and the bus's run loop died with it (no reconnect, ever).
        await using var broker = await TestBroker.StartAsync();
        var client = broker.CreateClient("keepalive-sub-ms", configure: static o => o.KeepaliveInterval = TimeSpan.FromTicks(1000));
        await using var subscription = await client.SubscribeAsync("ka.>");
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await client.WaitForGenerationAsync(1, timeout.Token);

        await broker.RestartAsync();

        try
        {
            await client.WaitForGenerationAsync(2, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"not reconnected within {TestBroker.Bound.TotalSeconds:0} s after the broker restart (connected: {client.IsConnected})");
        }

        Assert.True(client.Generation >= 2);
    }

    [Fact]
    public async Task EndingTheConnection_StopsTheKeepaliveLoop_WithoutAnException()
    {
        // A PeriodicTimer wait ended by its token fails with an exception whose stack trace is captured with file and
        // line numbers (the PDBs are read): about 15 ms of CPU the first time in a process, measured with tiering off.
        await using var broker = await TestBroker.StartAsync();
        var options = TestBroker.NewOptions(broker.SocketPath);

        // No tick comes within the test, so only the connection's end can stop the loop (one that ignored it would
        // otherwise end by itself after a PING and two silent intervals).
        options.KeepaliveInterval = TimeSpan.FromHours(1);
        await using var bus = new UnixSocketBus(options);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await bus.PublishAsync("a.b", new { });
        await bus.WaitForGenerationAsync(1, timeout.Token);

        var thrown = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            // The live stack, not the exception's (at first chance that holds only the frame that threw); without file
            // information, so other tests' exceptions meanwhile cost little.
            if (e.Exception is OperationCanceledException
                && new System.Diagnostics.StackTrace(false).ToString().Contains("KeepaliveLoopAsync", StringComparison.Ordinal))
            {
                thrown.Enqueue(e.Exception.GetType().Name);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            await bus.DisposeAsync();

            // The connection ends only once its keepalive loop has (its run awaits the loop).
            try
            {
                await bus.WaitForConnectionStateAsync(() => !bus.IsConnected, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("the connection never ended: its keepalive loop did not stop");
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        Assert.Empty(thrown);
    }
}
