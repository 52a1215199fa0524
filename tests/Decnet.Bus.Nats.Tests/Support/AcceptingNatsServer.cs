using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A fake NATS server on a free loopback port that accepts any CONNECT (it asks for no signature) and records each
/// one, so a test can see what credentials every connect and reconnect presented; <see cref="Drop"/> closes the
/// current connection, as a server going away does, and the client reconnects.
/// </summary>
internal sealed class AcceptingNatsServer : FakeNatsServer
{
    private readonly Channel<string> _connects = Channel.CreateUnbounded<string>();
    private Socket? _current;

    public AcceptingNatsServer()
        : base(headers: true)
    {
        Start();
    }

    /// <summary>The next CONNECT line a client sent, in the order the connections came.</summary>
    public async Task<string> NextConnectAsync(CancellationToken cancellationToken)
        => await _connects.Reader.ReadAsync(cancellationToken);

    /// <summary>Closes the connection being served (both directions); the next one is accepted as before.</summary>
    public void Drop() => Volatile.Read(ref _current)?.Shutdown(SocketShutdown.Both);

    protected override async Task ServeAsync(TcpClient client, NetworkStream stream)
    {
        Volatile.Write(ref _current, client.Client);
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        while (await reader.ReadLineAsync(Stopping.Token) is { } line)
        {
            if (line.StartsWith("CONNECT ", StringComparison.Ordinal))
            {
                _connects.Writer.TryWrite(line);
            }
            else if (line == "PING")
            {
                await stream.WriteAsync("PONG\r\n"u8.ToArray(), Stopping.Token);
            }
        }
    }
}
