using Decnet.Bus;
using Decnet.Bus.Codec;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A minimal IBus double that records publishes (payload decoded through the real codec) or throws a given exception.
/// FakeBus lives in another package; this keeps these tests independent of it.
/// </summary>
internal sealed class RecordingBus(Exception? failWith = null) : IBus
{
    private readonly List<(string Topic, string? Type, IReadOnlyDictionary<string, object?> Payload)> _published = [];

    public IReadOnlyList<(string Topic, string? Type, IReadOnlyDictionary<string, object?> Payload)> Published => _published;

    public BusCounters Counters => new(_published.Count, 0, 0);

    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        if (failWith is not null)
        {
            throw failWith;
        }

        Topics.EnsureValidTopic(topic);
        var bytes = BusCodec.SerializePayload(payload);
        _published.Add((topic, type, BusCodec.DeserializePayloadAsDictionary(bytes)));
        return ValueTask.CompletedTask;
    }

    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("RecordingBus only records publishes.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
