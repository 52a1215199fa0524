using Decnet.Bus.Internal;

namespace Decnet.Bus;

/// <summary>
/// A bus that is switched off (<c>DECNET_BUS_ENABLED=false</c>): publishes are validated, counted as published and
/// dropped, and discarded; subscriptions are already complete when returned. Workers run unchanged and fall back to
/// polling.
/// </summary>
/// <remarks>
/// <see cref="Instance"/> is shared by every container in the process, so disposing it does nothing (otherwise the
/// first host to shut down would break every other user). An instance created with <see cref="NullBus()"/> is owned
/// by its creator and keeps the <see cref="IBus"/> contract fully: after disposal, publish and subscribe throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class NullBus : IBus, IDisposable
{
    private readonly BusCounterSet _counters = new("null");
    private readonly bool _shared;
    private DeliveryLoop? _deliveryLoop;
    private int _disposed;

    /// <summary>Creates an owned instance; disposing it makes further use throw <see cref="ObjectDisposedException"/>.</summary>
    public NullBus()
    {
    }

    private NullBus(bool shared) => _shared = shared;

    /// <summary>The shared instance, used by <c>AddDecnetBus()</c>. Disposing it does nothing, so it never becomes unusable.</summary>
    public static NullBus Instance { get; } = new(shared: true);

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    /// <inheritdoc />
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Topics.EnsureValidTopic(topic);
        EventTypes.EnsureValid(type);
        _counters.AddPublished();
        _counters.AddDropped();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Topics.EnsureValidPattern(pattern);
        var subscription = new ChannelSubscription(pattern, 1, _counters, onDispose: null);
        await subscription.DisposeAsync().ConfigureAwait(false);
        return subscription;
    }

    /// <inheritdoc />
    /// <remarks>The subscription is already disposed when returned: its handler is never called.</remarks>
    public async ValueTask<IBusHandlerSubscription> SubscribeAsync(string pattern, BusEventHandler handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();
        Topics.EnsureValidPattern(pattern);
        var loop = LazyInitializer.EnsureInitialized(ref _deliveryLoop, () => new DeliveryLoop(logger: null));
        var subscription = new HandlerSubscription(pattern, 1, handler, loop, _counters, onDispose: null);
        await subscription.DisposeAsync().ConfigureAwait(false);
        return subscription;
    }

    /// <summary>Marks an owned instance disposed; does nothing for <see cref="Instance"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Same as <see cref="DisposeAsync"/>. Implemented so a container that owns the bus (<c>AddDecnetBus()</c>
    /// registers a factory) can still be disposed synchronously when the bus is switched off.
    /// </summary>
    public void Dispose()
    {
        if (!_shared)
        {
            Volatile.Write(ref _disposed, 1);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
