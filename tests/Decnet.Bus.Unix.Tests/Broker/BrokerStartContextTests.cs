using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The broker's loops outlive the call that starts them: they must neither wait for the starter's synchronization
/// context (a UI thread, a test runner's worker, busy elsewhere) nor carry its async-locals (a logging scope, a trace)
/// into every connection for the broker's lifetime.
/// </summary>
public sealed class BrokerStartContextTests
{
    private static readonly AsyncLocal<string?> _starter = new();

    [Fact]
    public async Task StartedOnABusyContext_ServesClients_AndPostsNothingToThatContext()
    {
        using var dir = new TempSocketDir();
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)));
        HeldSynchronizationContext context;
        Task started;
        using (HeldSynchronizationContext.Install(out context))
        {
            started = server.StartAsync(CancellationToken.None);
        }

        try
        {
            await started;
            await using var client = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
            await using var subscription = await client.SubscribeAsync("ctx.>").AsTask().WaitAsync(TestBroker.Bound);

            // A round trip through the broker: it accepted, read HELLO, routed the SUB and the PUB.
            await client.PublishAsync("ctx.one", new { });
            var received = await Receive.NextAsync(subscription);

            Assert.Equal("ctx.one", received.Topic);
            Assert.Equal(0, context.Posted);
        }
        finally
        {
            context.Release();
        }
    }

    [Fact]
    public async Task AConnectionsLoop_KeepsNoAsyncLocalOfTheBrokersStarter()
    {
        using var dir = new TempSocketDir();
        var logger = new FlowProbeLogger<BusServer>("connected (pid", static () => _starter.Value);
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)), logger);

        _starter.Value = "the host's start-up scope";
        await server.StartAsync(CancellationToken.None);
        _starter.Value = null;

        await using var client = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        await using var subscription = await client.SubscribeAsync("ctx.>").AsTask().WaitAsync(TestBroker.Bound);

        // Logged by the connection's loop once HELLO is read: what it sees of the starter's flow.
        var seen = await logger.Seen.WaitAsync(TestBroker.Bound);
        Assert.Null(seen);
    }
}
