using System.Net.Sockets;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A fake broker for one client: listens on a temp socket, accepts one connection, and lets the test read and write
/// its bytes by hand, to play a broker that sends what a real one never would (tests/interop's clients).
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TempSocketDir _dir = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private Socket? _accepted;
    private NetworkStream? _stream;

    public ScriptedPeer()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
    }

    public string SocketPath => _dir.SocketPath;

    /// <summary>The accepted connection (bounded by <see cref="TestBroker.Bound"/>).</summary>
    public async Task<NetworkStream> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        _accepted = await _listener.AcceptAsync(timeout.Token);
        return _stream = new NetworkStream(_accepted, ownsSocket: false);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (bounded).</summary>
    public async Task<byte[]> ReadAsync(int count)
    {
        var bytes = new byte[count];
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await _stream!.ReadExactlyAsync(bytes, timeout.Token);
        return bytes;
    }

    public async Task WriteAsync(byte[] bytes) => await _stream!.WriteAsync(bytes);

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _accepted?.Dispose();
        _listener.Dispose();
        _dir.Dispose();
    }
}
