using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A fake NATS server on a free loopback port: it accepts one connection at a time, sends it an INFO line and hands it
/// to <see cref="ServeAsync"/>, the part each fake scripts; a connection that goes away is followed by the next.
/// </summary>
internal abstract class FakeNatsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _info;
    private Task _accepting = Task.CompletedTask;

    /// <param name="headers">Whether INFO announces header support (a client that publishes with headers needs it).</param>
    protected FakeNatsServer(bool headers)
    {
        _info = Encoding.ASCII.GetBytes(
            "INFO {\"server_id\":\"fake\",\"server_name\":\"fake\",\"version\":\"2.10.0\",\"proto\":1,"
            + (headers ? "\"headers\":true," : string.Empty) + "\"max_payload\":1048576}\r\n");
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationTokenSource Stopping { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Stopping.Dispose();
    }

    /// <summary>Starts listening and accepting; called by the derived constructor once its own fields are set.</summary>
    protected void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Serves one connection after its INFO; returns (or throws an I/O error) when it ends.</summary>
    protected abstract Task ServeAsync(TcpClient client, NetworkStream stream);

    private async Task AcceptAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(Stopping.Token);
            try
            {
                var stream = client.GetStream();
                await stream.WriteAsync(_info, Stopping.Token);
                await ServeAsync(client, stream);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away or was dropped: serve the next one.
            }
        }
    }
}
