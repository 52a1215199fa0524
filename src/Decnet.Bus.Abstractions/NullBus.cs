using Decnet.Bus.Internal;

namespace Decnet.Bus;

/// <summary>
/// A bus that is switched off (<c>DECNET_BUS_ENABLED=false</c>): publishes are validated, counted as dropped and
/// discarded; subscriptions complete at once. Workers run unchanged and fall back to polling.
/// </summary>
public sealed class NullBus : IBus
{
    private readonly BusCounterSet _counters = new("null");

    private NullBus()
    {
    }

    /// <summary>The shared instance. Disposing it does nothing, so it never becomes unusable.</summary>
    public static NullBus Instance { get; } = new();

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    /// <inheritdoc />
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        Topics.EnsureValidTopic(topic);
        _counters.AddPublished();
        _counters.AddDropped();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        Topics.EnsureValidPattern(pattern);
        var subscription = new ChannelSubscription(pattern, 1, _counters, onDispose: null);
        await subscription.DisposeAsync().ConfigureAwait(false);
        return subscription;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
