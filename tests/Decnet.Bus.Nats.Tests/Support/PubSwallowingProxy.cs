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

    private readonly RelayProxy _relay;

    public PubSwallowingProxy(int upstreamPort)
        => _relay = new RelayProxy(
            new IPEndPoint(IPAddress.Loopback, 0),
            new IPEndPoint(IPAddress.Loopback, upstreamPort),
            (client, server, stop) => Task.WhenAll(
                CopyAsync(server, client, swallowPublishes: false, stop),
                CopyAsync(client, server, swallowPublishes: true, stop)));

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_relay.LocalEndPoint).Port}";

    /// <summary>Completes when the proxy has swallowed the first read holding a publish.</summary>
    public TaskCompletionSource Swallowed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private async Task CopyAsync(Socket from, Socket to, bool swallowPublishes, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>(); // the previous read's last bytes, for a "PUB " split across two reads
        var swallowing = false;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
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

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
