using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>A hand-driven protocol client for sending frames a well-behaved client never would.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private byte[] _pending = [];

    private RawClient(Socket socket) => _socket = socket;

    private RawClient()
        : this(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
    {
    }

    /// <summary>Drives the other end of an accepted connection: a test playing the broker to a real client.</summary>
    public static RawClient Accepted(Socket socket) => new(socket);

    public static async Task<RawClient> ConnectAsync(string path, bool hello = true, int queueSize = 0, bool reportLost = false)
    {
        var client = new RawClient();
        await client._socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        if (hello)
        {
            await client.SendAsync(b => FrameWriter.WriteHello(b, new HelloMessage(ProtocolConstants.Version, "raw", true, queueSize, 0, reportLost)));
            var welcome = await client.ReadFrameAsync();
            Assert.Equal(FrameKind.Welcome, welcome.Kind);
        }

        return client;
    }

    public Socket Socket => _socket;

    public Task SendAsync(Action<PooledBufferWriter> write) => SendAsync(FrameBytes.Of(write));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads the next frame: its kind and a copy of its body. Fails on EOF.</summary>
    public async Task<(FrameKind Kind, byte[] Body)> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_pending);
            if (FrameReader.TryParse(ref sequence, 1 << 22, out var frame))
            {
                var result = (frame.Kind, frame.Body.ToArray());
                _pending = sequence.ToArray();
                return result;
            }

            var chunk = new byte[65536];
            var read = await _socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException("the broker closed the connection");
            }

            _pending = [.. _pending, .. chunk.AsSpan(0, read)];
        }
    }

    /// <summary>Expects ERR with <paramref name="code"/>, then the broker closing the connection; returns the ERR's message.</summary>
    public async Task<string> ExpectErrorAndCloseAsync(BusErrorCode code)
    {
        var (kind, body) = await ReadFrameAsync();
        while (kind == FrameKind.SubAck)
        {
            (kind, body) = await ReadFrameAsync();
        }

        Assert.Equal(FrameKind.Err, kind);
        var error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(body));
        Assert.True(code == error.Code, $"expected ERR {(int)code} ({code}), got ERR {(int)error.Code} ({error.Code}): {error.Message}");
        await Assert.ThrowsAsync<EndOfStreamException>(ReadFrameAsync);
        return error.Message;
    }

    /// <summary>Expects an ERR that rejects one request (the connection stays) and returns it.</summary>
    public async Task<ErrorMessage> ExpectRequestErrorAsync(BusErrorCode code, FrameKind request, uint sid)
    {
        var (kind, body) = await ReadFrameAsync();
        Assert.Equal(FrameKind.Err, kind);
        var error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(body));
        Assert.Equal((code, request, sid), (error.Code, error.Request, error.Sid));
        Assert.False(error.Closes);
        return error;
    }

    /// <summary>Sends PING and expects PONG as the next frame: the connection is up and has handled all before it.</summary>
    public async Task PingAsync()
    {
        await SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        Assert.Equal(FrameKind.Pong, (await ReadFrameAsync()).Kind);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
