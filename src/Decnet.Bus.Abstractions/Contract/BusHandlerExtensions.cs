namespace Decnet.Bus;

/// <summary>Handler subscriptions with a synchronous handler.</summary>
public static class BusHandlerExtensions
{
    /// <summary>
    /// Subscribes a synchronous <paramref name="handler"/>; see
    /// <see cref="IBus.SubscribeAsync(string, BusEventHandler, SubscriptionOptions?, CancellationToken)"/>.
    /// </summary>
    /// <param name="bus">The bus.</param>
    /// <param name="pattern">A pattern with optional <c>*</c> and trailing <c>&gt;</c> tokens.</param>
    /// <param name="handler">Called once per event, on the bus's delivery loop.</param>
    /// <param name="options">Queue size and other per-subscription settings; null for defaults.</param>
    /// <param name="cancellationToken">Cancels waiting for the subscription to become live.</param>
    public static ValueTask<IBusHandlerSubscription> SubscribeAsync(this IBus bus, string pattern, Action<BusDelivery> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.SubscribeAsync(
            pattern,
            (delivery, _) =>
            {
                handler(delivery);
                return ValueTask.CompletedTask;
            },
            options,
            cancellationToken);
    }
}
