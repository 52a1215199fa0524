using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A TCP proxy on a free loopback port in front of a real nats-server: it forwards both ways until the client sends
/// <c>PUB </c> (a PUB or HPUB), then swallows everything the client sends on that connection, that read included, while
/// keeping it open. The server never sees the publish nor the PING behind it, so the client's flush gets no PONG: a
/// server that took the connection and then stopped answering, as a hung or partitioned one does.
/// </summary>
internal sealed class PubSwallowingProxy : IAsyncDisposable
{
    private static readonly byte[] _pub = Encoding.ASCII.GetBytes("PUB ");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly Lock _gate = new();
    private readonly int _upstreamPort;
    private readonly Task _accepting;

    public PubSwallowingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Completes when the proxy has swallowed the first read holding a publish.</summary>
    public TaskCompletionSource Swallowed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
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
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                lock (_gate)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                }

                await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                serving.Add(CopyAsync(server.GetStream(), client.GetStream(), swallowPublishes: false));
                serving.Add(CopyAsync(client.GetStream(), server.GetStream(), swallowPublishes: true));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, bool swallowPublishes)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>(); // the previous read's last bytes, for a "PUB " split across two reads
        var swallowing = false;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    to.Socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (swallowPublishes && !swallowing)
                {
                    var seen = tail.Concat(buffer.Take(read)).ToArray();
                    swallowing = seen.AsSpan().IndexOf(_pub) >= 0;
                    tail = seen[Math.Max(0, seen.Length - (_pub.Length - 1))..];
                }

                if (swallowing)
                {
                    Swallowed.TrySetResult();
                    continue;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
