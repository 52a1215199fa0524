using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>A connection's end: the bus's dispose may abort a connection its run loop has just disposed.</summary>
public sealed class ConnectionEndTests
{
    [Fact]
    public async Task AbortOrDispose_AfterTheConnectionWasDisposed_DoNothing()
    {
        await using var broker = await TestBroker.StartAsync();
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var outbox = new ClientOutbox(1 << 20, 1024);
        var hello = new HelloMessage(ProtocolConstants.Version, "end-test", false, 0, 0, ReportLost: true);
        var connection = await DirectConnection.ConnectAsync(broker.SocketPath, hello, outbox, static _ => null, cancellationToken: timeout.Token);
        connection.Start();

        await connection.DisposeAsync();

        // UnixSocketBus.DisposeAsync reads its live connection, then aborts it; the run loop can end and dispose that
        // connection in between. The abort then has nothing left to do, and must not throw out of the bus's dispose.
        Assert.Null(Record.Exception(connection.Abort));
        Assert.Null(await Record.ExceptionAsync(async () => await connection.DisposeAsync()));
    }
}
