using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Decnet.Bench.Load.Roles;
using Decnet.Bus;
using Decnet.Bus.Unix;

namespace Decnet.Bench.Load.Systems;

/// <summary>
/// A subscriber speaking the Python bus's text protocol to <c>decnet bus</c> (docs/text-protocol.md), written in
/// .NET so the W1P workload measures what the broker's translation costs, not Python's speed. It reads each EVT
/// frame (header, length, body) and looks for the end marker's type in the JSON; it does not decode the JSON.
/// </summary>
internal sealed class TextLoadClient : ILoadClient
{
    private static readonly byte[] _endType = "\"type\":\"end\""u8.ToArray();

    private readonly Socket _socket;
    private readonly string _target;
    private readonly string _name;
    private Task _reader = Task.CompletedTask;

    private TextLoadClient(Socket socket, string target, string name)
    {
        _socket = socket;
        _target = target;
        _name = name;
    }

    public long Dropped => 0;

    public bool BuffersWrites => false;

    public static async Task<TextLoadClient> ConnectAsync(string target, string name)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(target));
        await socket.SendAsync(Frame("HELLO " + name));
        return new TextLoadClient(socket, target, name);
    }

    public async Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client)
    {
        foreach (var pattern in patterns)
        {
            await _socket.SendAsync(Frame("SUB " + pattern));
        }

        _reader = Task.Run(() => ReadAsync(sink, client));

        // The text protocol has no SUBACK: the broker's STATS row says when every pattern is in place.
        var options = new DecnetBusOptions { SocketPath = _target, Group = string.Empty, ClientName = _name + "-probe" };
        await using var probe = await UnixSocketBus.ConnectAsync(options);
        var expected = patterns.Distinct(StringComparer.Ordinal).Count();
        while ((await probe.GetBrokerStatsAsync()).Connections.FirstOrDefault(c => c.Name == _name)?.Subscriptions != expected)
        {
            await Task.Delay(10);
        }
    }

    public ValueTask PublishAsync(string topic, long sentAt) => throw new NotSupportedException("the text-protocol load client only subscribes");

    public ValueTask PublishEndAsync(string topic) => throw new NotSupportedException("the text-protocol load client only subscribes");

    public ValueTask FlushAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReadAsync(IEventSink sink, int client)
    {
        var reader = PipeReader.Create(new NetworkStream(_socket, ownsSocket: false), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (TryTake(ref buffer, out var end))
            {
                if (end)
                {
                    sink.OnEnd(client);
                    return;
                }

                sink.OnEvent(client, 0);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Takes one frame off <paramref name="buffer"/>; <paramref name="end"/> when it is the end marker.</summary>
    private static bool TryTake(ref ReadOnlySequence<byte> buffer, out bool end)
    {
        end = false;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryAdvanceTo((byte)'\n') || !reader.TryReadBigEndian(out int length) || reader.Remaining < length)
        {
            return false;
        }

        var body = buffer.Slice(reader.Position, length);
        end = Contains(body, _endType);
        buffer = buffer.Slice(body.End);
        return true;
    }

    private static bool Contains(ReadOnlySequence<byte> body, byte[] value)
        => body.IsSingleSegment ? body.FirstSpan.IndexOf(value) >= 0 : body.ToArray().AsSpan().IndexOf(value) >= 0;

    private static byte[] Frame(string header)
    {
        var bytes = new byte[header.Length + 5];
        Encoding.ASCII.GetBytes(header, bytes);
        bytes[header.Length] = (byte)'\n';
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(header.Length + 1), 0);
        return bytes;
    }
}
