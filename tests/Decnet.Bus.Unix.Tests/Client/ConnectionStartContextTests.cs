using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A connection's loops start on the pool whatever synchronization context the caller of
/// <see cref="ClientConnection.Start"/> has: one whose thread is busy (a test runner's worker held by other tests) must
/// not hold back the SUB, its SUBACK or the connection's end.
/// </summary>
public sealed class ConnectionStartContextTests
{
    [Fact]
    public async Task StartedOnABusyContext_TheConnectionRuns_AndPostsNothingToThatContext()
    {
        await using var broker = await TestBroker.StartAsync();
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var outbox = new ClientOutbox(1 << 20, 1024);
        var subscription = new ClientSubscription(1, "ctx.test", new ChannelSubscription("ctx.test", 16, null, null));
        await using var connection = await DirectConnection.ConnectAsync(
            broker.SocketPath,
            new HelloMessage(ProtocolConstants.Version, "ctx-test", Echo: false, QueueSize: 16, MaxFrame: 0),
            outbox,
            _ => subscription,
            cancellationToken: timeout.Token);
        outbox.Attach(connection.Writer);
        HeldSynchronizationContext context;
        using (HeldSynchronizationContext.Install(out context))
        {
            connection.Start();
        }

        try
        {
            Assert.True(await connection.SubscribeAsync(subscription).WaitAsync(TestBroker.Bound));
            Assert.Equal(0, context.Posted);
        }
        finally
        {
            context.Release();
        }
    }
}
