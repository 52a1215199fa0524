using Decnet.Bench.Load.Roles;
using Decnet.Bus;
using Decnet.Bus.Unix;
using MessagePack;

namespace Decnet.Bench.Load.Systems;

/// <summary>System 1: a <see cref="UnixSocketBus"/> client of a <c>decnet bus</c> broker in another process.</summary>
internal sealed class DecnetLoadClient : ILoadClient
{
    private const string _endType = "end";

    private readonly UnixSocketBus _bus;
    private readonly BenchPayload _payload = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly List<Task> _readers = [];

    private DecnetLoadClient(UnixSocketBus bus) => _bus = bus;

    public bool BuffersWrites => false;

    /// <summary>Consume through the handler API (one delivery loop for every subscription) instead of one enumerator each.</summary>
    public bool UseHandlers { get; set; }

    /// <summary>
    /// Subscribe with <see cref="SubscriptionOptions.InlineDelivery"/>: handlers (<see cref="UseHandlers"/>) run on the
    /// receive thread while nothing is queued; enumerable readers resume there.
    /// </summary>
    public bool Inline { get; set; }

    /// <summary>Every subscription's options: the defaults, with <see cref="Inline"/>.</summary>
    private SubscriptionOptions Options => new() { InlineDelivery = Inline };

    /// <summary>
    /// Everything this client dropped: its subscriptions' full queues and, for a publisher, events its send buffer
    /// dropped while the broker fell behind (both are in the bus-level counter).
    /// </summary>
    public long Dropped => _bus.Counters.Dropped;

    public static async Task<DecnetLoadClient> ConnectAsync(string socket, string name)
    {
        var options = new DecnetBusOptions
        {
            SocketPath = socket,
            Group = string.Empty,
            ClientName = name,
            MaxSubscriptionsPerConnection = 100_000,
        };
        return new DecnetLoadClient(await UnixSocketBus.ConnectAsync(options));
    }

    public async Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client)
    {
        // Many subscriptions (W4) are requested in parallel batches: each SUB waits for its SUBACK.
        const int Batch = 256;
        if (UseHandlers)
        {
            await SubscribeHandlersAsync(patterns, sink, client, Batch);
            return;
        }

        var options = Options;
        for (var start = 0; start < patterns.Count; start += Batch)
        {
            var batch = new List<Task<IBusSubscription>>();
            for (var i = start; i < Math.Min(patterns.Count, start + Batch); i++)
            {
                batch.Add(_bus.SubscribeAsync(patterns[i], options).AsTask());
            }

            foreach (var subscription in await Task.WhenAll(batch))
            {
                _subscriptions.Add(subscription);
                _readers.Add(Task.Run(() => ReadAsync(subscription, sink, client)));
            }
        }
    }

    private async Task SubscribeHandlersAsync(IReadOnlyList<string> patterns, IEventSink sink, int client, int batchSize)
    {
        // One handler for every subscription: it only counts (and reads the timestamp when timing).
        BusEventHandler handler = (delivery, _) =>
        {
            if (delivery.Type == _endType)
            {
                sink.OnEnd(client);
            }
            else
            {
                sink.OnEvent(client, sink.WantsStamp(client) ? ReadTimestamp(delivery.Payload) : 0);
            }

            return ValueTask.CompletedTask;
        };
        var options = Options;
        for (var start = 0; start < patterns.Count; start += batchSize)
        {
            var batch = new List<Task<IBusHandlerSubscription>>();
            for (var i = start; i < Math.Min(patterns.Count, start + batchSize); i++)
            {
                batch.Add(_bus.SubscribeAsync(patterns[i], handler, options).AsTask());
            }

            _subscriptions.AddRange(await Task.WhenAll(batch));
        }
    }

    public ValueTask PublishAsync(string topic, long sentAt)
    {
        _payload.T = sentAt;
        return _bus.PublishAsync(topic, _payload);
    }

    public ValueTask PublishEndAsync(string topic) => _bus.PublishAsync(topic, _payload, _endType);

    // A round trip, as nats' Flush and Redis's PING are: the broker has routed everything published before it (the
    // send loop drains the outbox on its own, so paced runs gain nothing from calling it per event: BuffersWrites).
    public ValueTask FlushAsync() => new(_bus.FlushAsync());

    public async ValueTask DisposeAsync()
    {
        await _bus.DisposeAsync();
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static async Task ReadAsync(IBusSubscription subscription, IEventSink sink, int client)
    {
        await foreach (var ev in subscription)
        {
            if (ev.Type == _endType)
            {
                sink.OnEnd(client);
            }
            else
            {
                sink.OnEvent(client, sink.WantsStamp(client) ? ReadTimestamp(ev.Payload) : 0);
            }
        }
    }

    private static long ReadTimestamp(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var isT = reader.ReadString() == "T";
            if (isT)
            {
                return reader.ReadInt64();
            }

            reader.Skip();
        }

        return 0;
    }
}
