using System.Net.Sockets;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A UNIX socket proxy in front of a real broker that plays a broker dying after the publish: it forwards the handshake
/// and whatever the client sends after it, then, at the broker's first reply to that (the flush's PONG, for a client
/// that only publishes), drops the reply and closes the connection. Later connections are forwarded the same way.
/// </summary>
internal sealed class PongDroppingProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Lock _gate = new();
    private readonly string _brokerPath;
    private readonly Task _accepting;

    public PongDroppingProxy(string path, string brokerPath)
    {
        _brokerPath = brokerPath;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        _accepting = AcceptAsync();
    }

    /// <summary>Completes when the proxy has dropped a reply and closed its connection.</summary>
    public TaskCompletionSource Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                var broker = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                lock (_gate)
                {
                    _sockets.Add(client);
                    _sockets.Add(broker);
                }

                await broker.ConnectAsync(new UnixDomainSocketEndPoint(_brokerPath), _stop.Token);
                serving.Add(new Link(this, client, broker).RunAsync());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>One proxied connection. The client sends nothing after its HELLO until the WELCOME has arrived, so
    /// what it sends once the broker has spoken comes after the handshake.</summary>
    private sealed class Link(PongDroppingProxy proxy, Socket client, Socket broker)
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
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, proxy._stop.Token)) > 0)
                {
                    _clientSpokeAfter |= _brokerSpoke;
                    await broker.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, proxy._stop.Token);
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
                while ((read = await broker.ReceiveAsync(buffer, SocketFlags.None, proxy._stop.Token)) > 0)
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
                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, proxy._stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
