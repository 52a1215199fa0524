using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A fake NATS server on a free loopback port that accepts any CONNECT (it asks for no signature) and records each
/// one, so a test can see what credentials every connect and reconnect presented; <see cref="Drop"/> closes the
/// current connection, as a server going away does, and the client reconnects.
/// </summary>
internal sealed class AcceptingNatsServer : IAsyncDisposable
{
    private const string _info = "INFO {\"server_id\":\"fake\",\"server_name\":\"fake\",\"version\":\"2.10.0\",\"proto\":1,\"headers\":true,\"max_payload\":1048576}\r\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<string> _connects = Channel.CreateUnbounded<string>();
    private readonly Task _accepting;
    private Socket? _current;

    public AcceptingNatsServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The next CONNECT line a client sent, in the order the connections came.</summary>
    public async Task<string> NextConnectAsync(CancellationToken cancellationToken)
        => await _connects.Reader.ReadAsync(cancellationToken);

    /// <summary>Closes the connection being served (both directions); the next one is accepted as before.</summary>
    public void Drop() => Volatile.Read(ref _current)?.Shutdown(SocketShutdown.Both);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Volatile.Write(ref _current, client.Client);
            try
            {
                await ServeAsync(client.GetStream());
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away or was dropped: serve the next one.
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(_info), _stop.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line.StartsWith("CONNECT ", StringComparison.Ordinal))
            {
                _connects.Writer.TryWrite(line);
            }
            else if (line == "PING")
            {
                await stream.WriteAsync("PONG\r\n"u8.ToArray(), _stop.Token);
            }
        }
    }
}
