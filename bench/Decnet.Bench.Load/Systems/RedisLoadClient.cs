using System.Buffers.Binary;
using System.Net.Sockets;
using Decnet.Bench.Load.Roles;
using StackExchange.Redis;

namespace Decnet.Bench.Load.Systems;

/// <summary>System 3: StackExchange.Redis pub/sub against a redis-server on a temp unix socket.</summary>
internal sealed class RedisLoadClient : ILoadClient
{
    private readonly ConnectionMultiplexer _mux;
    private readonly ISubscriber _subscriber;
    private readonly Dictionary<string, RedisChannel> _channels = new(StringComparer.Ordinal);
    private readonly int _size;
    private byte[] _payload;
    private long _stamp;

    private RedisLoadClient(ConnectionMultiplexer mux, int size)
    {
        _mux = mux;
        _subscriber = mux.GetSubscriber();
        _size = size;
        _payload = new byte[size];
    }

    public bool BuffersWrites => false;

    public long Dropped => 0;

    public static async Task<RedisLoadClient> ConnectAsync(string socket, int size)
    {
        var config = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 10_000 };
        config.EndPoints.Add(new UnixDomainSocketEndPoint(socket));
        return new RedisLoadClient(await ConnectionMultiplexer.ConnectAsync(config), size);
    }

    public async Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client)
    {
        void Handler(RedisChannel channel, RedisValue value)
        {
            var bytes = (ReadOnlyMemory<byte>)value;
            if (bytes.Length == 1)
            {
                sink.OnEnd(client);
            }
            else
            {
                sink.OnEvent(client, bytes.Length >= 8 && sink.WantsStamp(client) ? BinaryPrimitives.ReadInt64LittleEndian(bytes.Span) : 0);
            }
        }

        const int Batch = 256;
        for (var start = 0; start < patterns.Count; start += Batch)
        {
            var batch = new List<Task>();
            for (var i = start; i < Math.Min(patterns.Count, start + Batch); i++)
            {
                var pattern = patterns[i];
                var channel = pattern.Contains('*', StringComparison.Ordinal) ? RedisChannel.Pattern(pattern) : RedisChannel.Literal(pattern);
                batch.Add(_subscriber.SubscribeAsync(channel, Handler));
            }

            await Task.WhenAll(batch);
        }
    }

    public ValueTask PublishAsync(string topic, long sentAt)
    {
        if (sentAt != _stamp)
        {
            _stamp = sentAt;
            // Fire-and-forget writes happen later on the writer thread: a fresh array keeps each stamp intact.
            _payload = new byte[_size];
            BinaryPrimitives.WriteInt64LittleEndian(_payload, sentAt);
        }

        _subscriber.Publish(Channel(topic), _payload, CommandFlags.FireAndForget);
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishEndAsync(string topic)
    {
        _subscriber.Publish(Channel(topic), new byte[] { 0 }, CommandFlags.FireAndForget);
        return ValueTask.CompletedTask;
    }

    // PING travels behind the fire-and-forget PUBLISHes on the same connection: its reply means they were sent.
    public async ValueTask FlushAsync() => await _mux.GetDatabase().PingAsync();

    public async ValueTask DisposeAsync()
    {
        await _mux.CloseAsync();
        await _mux.DisposeAsync();
    }

    private RedisChannel Channel(string topic)
    {
        if (!_channels.TryGetValue(topic, out var channel))
        {
            channel = RedisChannel.Literal(topic);
            _channels[topic] = channel;
        }

        return channel;
    }
}
