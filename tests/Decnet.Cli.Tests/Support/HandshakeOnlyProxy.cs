using System.Net.Sockets;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A UNIX socket proxy in front of a real broker that plays a hung one: it forwards the handshake, then swallows
/// everything the client sends (its publishes and the flush's PING never reach the broker) while keeping the connection
/// open, so the client waits for a PONG that never comes.
/// </summary>
internal sealed class HandshakeOnlyProxy : IAsyncDisposable
{
    private readonly RelayProxy _relay;

    public HandshakeOnlyProxy(string path, string brokerPath)
        => _relay = new RelayProxy(new UnixDomainSocketEndPoint(path), new UnixDomainSocketEndPoint(brokerPath), ServeAsync);

    /// <summary>Completes when the proxy has swallowed the first bytes the client sent after the handshake.</summary>
    public TaskCompletionSource Swallowed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private async Task ServeAsync(Socket client, Socket broker, CancellationToken stop)
    {
        // The client sends nothing after its HELLO until the WELCOME has arrived: what it sends once the broker has
        // spoken comes after the handshake.
        var brokerSpoke = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.WhenAll(RelayAsync(broker, client, onRead: () => brokerSpoke.TrySetResult()), FromClientAsync());

        async Task FromClientAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    if (brokerSpoke.Task.IsCompleted)
                    {
                        Swallowed.TrySetResult();
                        continue;
                    }

                    await broker.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        async Task RelayAsync(Socket from, Socket to, Action onRead)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    // Marked before the WELCOME goes on: the client may answer it at once.
                    onRead();
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
