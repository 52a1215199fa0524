using System.Net;
using System.Net.Sockets;

namespace Decnet.Testing;

/// <summary>
/// A listening proxy in front of a real server, for tests that need the link to misbehave at a chosen moment (a broker
/// that dies after the publish, a NATS server that stops answering): it accepts each client, connects it to
/// <c>upstream</c>, and hands both sockets to the caller's <c>serve</c>, which relays and misbehaves as it likes. Its
/// dispose closes every socket and awaits every <c>serve</c>.
/// </summary>
internal sealed class RelayProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly EndPoint _upstream;
    private readonly Func<Socket, Socket, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;

    /// <param name="listenOn">A UNIX socket path's endpoint, or a loopback TCP one (port 0 for a free one).</param>
    /// <param name="upstream">The real server.</param>
    /// <param name="serve">Relays one connection (client, upstream); ends with either side or the token.</param>
    public RelayProxy(EndPoint listenOn, EndPoint upstream, Func<Socket, Socket, CancellationToken, Task> serve)
    {
        _upstream = upstream;
        _serve = serve;
        _listener = NewSocket(listenOn);
        _listener.Bind(listenOn);
        _listener.Listen();
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect (for TCP, with the port the kernel chose).</summary>
    public EndPoint LocalEndPoint => _listener.LocalEndPoint!;

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

    private static Socket NewSocket(EndPoint endPoint)
        => new(endPoint.AddressFamily, SocketType.Stream, endPoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                var upstream = NewSocket(_upstream);
                lock (_gate)
                {
                    _sockets.Add(client);
                    _sockets.Add(upstream);
                }

                try
                {
                    await upstream.ConnectAsync(_upstream, _stop.Token);
                }
                catch (SocketException)
                {
                    // No server behind: the client sees its connection end at once, not a proxy that never answers.
                    client.Dispose();
                    continue;
                }

                serving.Add(_serve(client, upstream, _stop.Token));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
