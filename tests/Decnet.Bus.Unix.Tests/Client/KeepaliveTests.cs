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
}
