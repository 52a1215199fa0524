using System.Buffers.Binary;
using System.Net.Sockets;
using Decnet.Bench.Load.Roles;

namespace Decnet.Bench.Load.Systems;

/// <summary>
/// System 4 client: [int32 LE length][bytes] frames over a UNIX socket to <see cref="RawRelay"/>. The first byte sent
/// says whether this connection subscribes ('S') or publishes ('P'); there are no topics.
/// </summary>
internal sealed class RawLoadClient : ILoadClient
{
    private const int _bufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _out = new byte[_bufferBytes];
    private readonly int _size;
    private int _filled;
    private bool _started;
    private Task? _reader;

    private RawLoadClient(Socket socket, int size)
    {
        _socket = socket;
        _size = size;
    }

    public long Dropped => 0;

    public static async Task<RawLoadClient> ConnectAsync(string socketPath, int size)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return new RawLoadClient(socket, size);
    }

    public async Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client, bool latency)
    {
        await _socket.SendAsync(new[] { (byte)'S' });

        // The relay acknowledges registration with one byte so that "live on return" holds here too.
        var ack = new byte[1];
        if (await _socket.ReceiveAsync(ack) != 1)
        {
            throw new IOException("The relay closed the connection.");
        }

        _reader = Task.Run(() => ReadAsync(sink, client, latency));
    }

    public async ValueTask PublishAsync(string topic, long sentAt)
    {
        if (!_started)
        {
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


    private async Task ReadAsync(IEventSink sink, int client, bool latency)
    {
        var buffer = new byte[256 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var offset = Parse(buffer.AsSpan(0, filled), sink, client, latency);
                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static int Parse(ReadOnlySpan<byte> data, IEventSink sink, int client, bool latency)
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
                sink.OnEvent(client, latency ? BinaryPrimitives.ReadInt64LittleEndian(body) : 0);
            }

            offset += 4 + length;
        }

        return offset;
    }
}
