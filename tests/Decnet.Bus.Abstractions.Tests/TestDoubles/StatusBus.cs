namespace Decnet.Bus.Abstractions.Tests.TestDoubles;

/// <summary>A bus whose connection state the test sets; everything else goes to the wrapped bus.</summary>
public sealed class StatusBus(IBus inner) : IBus, IBusConnectionStatus
{
    public BusConnectionState State { get; set; } = BusConnectionState.Connected;

    public BusCounters Counters => inner.Counters;

    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
        => inner.PublishAsync(topic, payload, type, cancellationToken);

    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => inner.SubscribeAsync(pattern, options, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
