using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>A hand-driven socket peer that sends whatever bytes a test chooses and reads frames back.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private byte[] _pending = [];

    public Socket Socket => _socket;

    public static async Task<RawPeer> ConnectAsync(string path, bool hello = true, int queueSize = 0, string name = "raw")
    {
        var peer = new RawPeer();
        await peer._socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        if (hello)
        {
            await peer.SendAsync(Hello(queueSize, name));
            var (kind, _) = await peer.ReadFrameAsync();
            Assert.Equal(FrameKind.Welcome, kind);
        }

        return peer;
    }

    public static byte[] Hello(int queueSize = 0, string name = "raw")
        => FrameBytes.Of(b => FrameWriter.WriteHello(b, new HelloMessage(ProtocolConstants.Version, name, true, queueSize, 0)));

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Reads the next frame (kind and body copy); null at EOF or reset.</summary>
    public async Task<(FrameKind Kind, byte[] Body)?> TryReadFrameAsync(CancellationToken cancellationToken)
    {
        var chunk = new byte[65536];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_pending);
            if (FrameReader.TryParse(ref sequence, 1 << 22, out var frame))
            {
                var result = (frame.Kind, frame.Body.ToArray());
                _pending = sequence.ToArray();
                return result;
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending = [.. _pending, .. chunk.AsSpan(0, read)];
        }
    }

    public async Task<(FrameKind Kind, byte[] Body)> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(LiveBroker.Bound);
        return await TryReadFrameAsync(timeout.Token) ?? throw new EndOfStreamException("the broker closed the connection");
    }

    /// <summary>Reads until the broker closes; returns the ERR code seen on the way (null if it closed without one).</summary>
    public async Task<BusErrorCode?> ReadUntilClosedAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        BusErrorCode? error = null;
        while (await TryReadFrameAsync(timeout.Token) is { } frame)
        {
            if (frame.Kind == FrameKind.Err)
            {
                error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(frame.Body)).Code;
            }
        }

        return error;
    }

    /// <summary>Expects ERR <paramref name="code"/> and then the close.</summary>
    public async Task ExpectErrorAndCloseAsync(BusErrorCode code) => Assert.Equal(code, await ReadUntilClosedAsync(LiveBroker.Bound));

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
