using System.Net.Sockets;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A fake NATS server on a free loopback port: to every connection it sends an INFO line, waits for the client's first
/// bytes (its CONNECT), answers with <c>-ERR 'error'</c> and closes, as a nats-server refusing a credential does, but
/// with whatever text a hostile or broken server might send.
/// </summary>
internal sealed class ScriptedNatsServer : FakeNatsServer
{
    private readonly byte[] _error;

    public ScriptedNatsServer(string error)
        : base(headers: false)
    {
        _error = Encoding.UTF8.GetBytes($"-ERR '{error}'\r\n");
        Start();
    }

    protected override async Task ServeAsync(TcpClient client, NetworkStream stream)
    {
        var buffer = new byte[4096];
        if (await stream.ReadAsync(buffer, Stopping.Token) > 0)
        {
            await stream.WriteAsync(_error, Stopping.Token);
        }
    }
}
