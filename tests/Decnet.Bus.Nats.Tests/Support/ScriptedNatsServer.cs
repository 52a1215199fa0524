using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A fake NATS server on a free loopback port: to every connection it sends an INFO line, waits for the client's first
/// bytes (its CONNECT), answers with <c>-ERR 'error'</c> and closes, as a nats-server refusing a credential does, but
/// with whatever text a hostile or broken server might send.
/// </summary>
internal sealed class ScriptedNatsServer : IAsyncDisposable
{
    private const string _info = "INFO {\"server_id\":\"fake\",\"server_name\":\"fake\",\"version\":\"2.10.0\",\"proto\":1,\"max_payload\":1048576}\r\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly byte[] _error;

    public ScriptedNatsServer(string error)
    {
        _error = Encoding.UTF8.GetBytes($"-ERR '{error}'\r\n");
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

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
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(_info), _stop.Token);
            var buffer = new byte[4096];
            if (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
                await stream.WriteAsync(_error, _stop.Token);
            }
        }
    }
}
