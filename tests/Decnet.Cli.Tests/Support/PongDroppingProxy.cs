using System.Net.Sockets;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A UNIX socket proxy in front of a real broker that plays a broker dying after the publish: it forwards the handshake
/// and whatever the client sends after it, then, at the broker's first reply to that (the flush's PONG, for a client
/// that only publishes), drops the reply and closes the connection. Later connections are forwarded the same way.
/// </summary>
internal sealed class PongDroppingProxy : IAsyncDisposable
{
    private readonly RelayProxy _relay;

    public PongDroppingProxy(string path, string brokerPath)
        => _relay = new RelayProxy(new UnixDomainSocketEndPoint(path), new UnixDomainSocketEndPoint(brokerPath), ServeAsync);

    /// <summary>Completes when the proxy has dropped a reply and closed its connection.</summary>
    public TaskCompletionSource Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private Task ServeAsync(Socket client, Socket broker, CancellationToken stop) => new Link(this, client, broker, stop).RunAsync();

    /// <summary>One proxied connection. The client sends nothing after its HELLO until the WELCOME has arrived, so
    /// what it sends once the broker has spoken comes after the handshake.</summary>
    private sealed class Link(PongDroppingProxy proxy, Socket client, Socket broker, CancellationToken stop)
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
                    if (_clientSpokeAfter)
                    {
                        client.Shutdown(SocketShutdown.Both);
                        client.Close();
                        broker.Close();
                        proxy.Dropped.TrySetResult();
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
