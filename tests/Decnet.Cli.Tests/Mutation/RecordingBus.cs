using Decnet.Bus;
using Decnet.Bus.Codec;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>Records publishes (decoded through the real codec); tracks disposal.</summary>
internal sealed class RecordingBus : IBus
{
    public List<(string Topic, string? Type, IReadOnlyDictionary<string, object?> Payload)> Published { get; } = [];

    public bool Disposed { get; private set; }

    public BusCounters Counters => new(Published.Count, 0, 0);

    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        Published.Add((topic, type, BusCodec.DeserializePayloadAsDictionary(BusCodec.SerializePayload(payload))));
        return ValueTask.CompletedTask;
    }

    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
