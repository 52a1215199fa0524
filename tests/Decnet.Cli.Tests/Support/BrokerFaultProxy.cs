using System.Net.Sockets;

namespace Decnet.Cli.Tests.Support;

/// <summary>How <see cref="BrokerFaultProxy"/> fails a client once the handshake is over.</summary>
internal enum BrokerFault
{
    /// <summary>A broker dying after the publish: its first reply (the PONG) dropped, the connection closed.</summary>
    DiesBeforeReplying,

    /// <summary>A hung broker: everything the client sends is swallowed, the connection stays open.</summary>
    Hangs,
}

/// <summary>
/// A UNIX socket proxy in front of a real broker that forwards each connection's handshake, then plays the chosen
/// <see cref="BrokerFault"/>. The client sends nothing after its HELLO until the WELCOME has arrived, so what it sends
/// once the broker has spoken comes after the handshake.
/// </summary>
internal sealed class BrokerFaultProxy : IAsyncDisposable
{
    private readonly RelayProxy _relay;
    private readonly BrokerFault _fault;

    public BrokerFaultProxy(string path, string brokerPath, BrokerFault fault)
    {
        _fault = fault;
        _relay = new RelayProxy(new UnixDomainSocketEndPoint(path), new UnixDomainSocketEndPoint(brokerPath), ServeAsync);
    }

    /// <summary>Completes when the proxy has played its fault on a connection.</summary>
    public TaskCompletionSource Faulted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private Task ServeAsync(Socket client, Socket broker, CancellationToken stop) => new Link(this, client, broker, stop).RunAsync();

    private sealed class Link(BrokerFaultProxy proxy, Socket client, Socket broker, CancellationToken stop)
    {
        private volatile bool _brokerSpoke;
        private volatile bool _clientSpokeAfter;

        public Task RunAsync() => Task.WhenAll(FromClientAsync(), FromBrokerAsync());

        private async Task FromClientAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    if (_brokerSpoke && proxy._fault == BrokerFault.Hangs)
                    {
                        proxy.Faulted.TrySetResult();
                        continue;
                    }

                    _clientSpokeAfter |= _brokerSpoke;
                    await broker.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task FromBrokerAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await broker.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    if (_clientSpokeAfter && proxy._fault == BrokerFault.DiesBeforeReplying)
                    {
                        client.Shutdown(SocketShutdown.Both);
                        client.Close();
                        broker.Close();
                        proxy.Faulted.TrySetResult();
                        return;
                    }

                    // Set before the WELCOME goes on: the client may answer it at once.
                    _brokerSpoke = true;
                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
