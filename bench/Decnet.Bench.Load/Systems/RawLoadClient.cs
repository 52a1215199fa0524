using System.Buffers.Binary;
using System.Net.Sockets;
using Decnet.Bench.Load.Roles;

namespace Decnet.Bench.Load.Systems;

/// <summary>
/// System 4 client: [int32 LE length][bytes] frames over a UNIX socket to <see cref="RawRelay"/>. The first byte sent
/// says whether this connection subscribes ('S') or publishes ('P'); there are no topics. In direct mode (the "hop"
/// baseline: no broker at all) the subscriber listens on the path itself and the publisher connects straight to it.
/// </summary>
internal sealed class RawLoadClient : ILoadClient
{
    private const int _bufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _out = new byte[_bufferBytes];
    private readonly int _size;
    private readonly string _path;
    private int _filled;
    private bool _started;
    private Task? _reader;

    private RawLoadClient(Socket socket, int size, string path)
    {
        _socket = socket;
        _size = size;
        _path = path;
    }

    public bool BuffersWrites => true;

    public long Dropped => 0;

    public static async Task<RawLoadClient> ConnectAsync(string socketPath, int size)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return new RawLoadClient(socket, size, socketPath);
    }

    /// <summary>Direct mode: nothing to connect to yet; a subscriber listens, a publisher connects on first use.</summary>
    public static RawLoadClient Direct(string socketPath, int size) =>
        new(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), size, socketPath) { IsDirect = true };

    private bool IsDirect { get; init; }

    public async Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client)
    {
        if (IsDirect)
        {
            // Listening is enough for "live": the publisher's connect lands in the backlog.
            File.Delete(_path);
            _socket.Bind(new UnixDomainSocketEndPoint(_path));
            _socket.Listen(1);
            _reader = Task.Run(async () =>
            {
                using var peer = await _socket.AcceptAsync();
                await ReadAsync(peer, sink, client, skipRoleByte: true);
            });
            return;
        }

        await _socket.SendAsync(new[] { (byte)'S' });

        // The relay acknowledges registration with one byte so that "live on return" holds here too.
        var ack = new byte[1];
        if (await _socket.ReceiveAsync(ack) != 1)
        {
            throw new IOException("The relay closed the connection.");
        }

        _reader = Task.Run(() => ReadAsync(_socket, sink, client, skipRoleByte: false));
    }

    public async ValueTask PublishAsync(string topic, long sentAt)
    {
        if (!_started)
        {
            if (IsDirect)
            {
                await _socket.ConnectAsync(new UnixDomainSocketEndPoint(_path));
            }

            _started = true;
            _out[0] = (byte)'P';
            _filled = 1;
        }

        if (_filled + 4 + _size > _out.Length)
        {
            await FlushAsync();
        }

        BinaryPrimitives.WriteInt32LittleEndian(_out.AsSpan(_filled), _size);
        BinaryPrimitives.WriteInt64LittleEndian(_out.AsSpan(_filled + 4), sentAt);
        _filled += 4 + _size;
    }

    public async ValueTask PublishEndAsync(string topic)
    {
        if (_filled + 5 > _out.Length)
        {
            await FlushAsync();
        }

        BinaryPrimitives.WriteInt32LittleEndian(_out.AsSpan(_filled), 1);
        _out[_filled + 4] = 0;
        _filled += 5;
    }

    public async ValueTask FlushAsync()
    {
        var sent = 0;
        while (sent < _filled)
        {
            sent += await _socket.SendAsync(_out.AsMemory(sent, _filled - sent));
        }

        _filled = 0;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (_reader is not null)
        {
            await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }


    private static async Task ReadAsync(Socket socket, IEventSink sink, int client, bool skipRoleByte)
    {
        var buffer = new byte[256 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    return;
                }

                filled += read;
                if (skipRoleByte)
                {
                    skipRoleByte = false;
                    buffer.AsSpan(1, filled - 1).CopyTo(buffer);
                    filled--;
                }

                var offset = Parse(buffer.AsSpan(0, filled), sink, client);
                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static int Parse(ReadOnlySpan<byte> data, IEventSink sink, int client)
    {
        var offset = 0;
        while (data.Length - offset >= 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            if (data.Length - offset - 4 < length)
            {
                break;
            }

            var body = data.Slice(offset + 4, length);
            if (length == 1)
            {
                sink.OnEnd(client);
            }
            else
            {
                sink.OnEvent(client, sink.WantsStamp(client) ? BinaryPrimitives.ReadInt64LittleEndian(body) : 0);
            }

            offset += 4 + length;
        }

        return offset;
    }
}
