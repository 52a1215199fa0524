namespace Decnet.Bus;

/// <summary>
/// A host-local publish/subscribe bus. Delivery is at-most-once and fire-and-forget: the database is
/// the source of truth and bus events are hints that it changed.
/// </summary>
/// <remarks>
/// Publishing never blocks on consumers and never throws because the transport is down; it throws only
/// for caller errors (an invalid topic, a payload that is not a map, a disposed bus).
/// </remarks>
public interface IBus : IAsyncDisposable
{
    /// <summary>Counters for everything that went through this bus instance.</summary>
    BusCounters Counters { get; }

    /// <summary>Publishes <paramref name="payload"/> on <paramref name="topic"/>.</summary>
    /// <typeparam name="TPayload">
    /// A type that MessagePack serializes as a map with string keys: a dictionary, an anonymous type, a plain
    /// class (public properties become keys), or a <c>[MessagePackObject(true)]</c> type.
    /// </typeparam>
    /// <param name="topic">A concrete topic (no wildcards); see <see cref="Topics.IsValidTopic"/>.</param>
    /// <param name="payload">The payload; <see langword="null"/> publishes an empty map.</param>
    /// <param name="type">A short discriminator copied into the envelope's <c>type</c>; may be null or empty.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting for local buffer space; never waits on consumers. The event is queued before any such wait, so
    /// a cancelled publish is still sent (docs/Service-Bus.md, pacing).
    /// </param>
    /// <exception cref="ArgumentException">The topic is invalid or the payload does not serialize to a map.</exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed.</exception>
    ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to every topic matching <paramref name="pattern"/>. The subscription is live when the returned
    /// task completes: any event published afterwards, by any client, is delivered to it.
    /// </summary>
    /// <param name="pattern">A pattern with optional <c>*</c> and trailing <c>&gt;</c> tokens; see <see cref="Topics.IsValidPattern"/>.</param>
    /// <param name="options">Queue size and other per-subscription settings; null for defaults.</param>
    /// <param name="cancellationToken">Cancels waiting for the subscription to become live.</param>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    /// <exception cref="BusSubscriptionRejectedException">
    /// The transport refused the subscription (for example: over its subscription limit); nothing is kept or retried.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled; the subscription is removed (from the broker too, if it got there).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed.</exception>
    ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to every topic matching <paramref name="pattern"/>. Live when the returned
    /// task completes, like <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/>. The bus calls
    /// handlers on one delivery loop of its own (or, with <see cref="SubscriptionOptions.InlineDelivery"/>, on a
    /// transport's receive thread), one event at a time per subscription and in order, so many subscriptions cost one
    /// loop, not one task each; a handler that completes synchronously costs no allocation per event
    /// (docs/dotnet-hosts.md, "Handler subscriptions").
    /// </summary>
    /// <remarks>
    /// Every transport in this repository implements it natively. This default serves other implementations (test
    /// doubles): it reads an enumerable subscription on a task of its own, asked for without inline delivery.
    /// </remarks>
    /// <param name="pattern">A pattern with optional <c>*</c> and trailing <c>&gt;</c> tokens; see <see cref="Topics.IsValidPattern"/>.</param>
    /// <param name="handler">Called once per event. One that throws is logged and counted in <see cref="IBusHandlerSubscription.Failed"/>.</param>
    /// <param name="options">Queue size and other per-subscription settings; null for defaults.</param>
    /// <param name="cancellationToken">Cancels waiting for the subscription to become live.</param>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    /// <exception cref="BusSubscriptionRejectedException">The transport refused the subscription.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the subscription is removed.</exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed.</exception>
    async ValueTask<IBusHandlerSubscription> SubscribeAsync(string pattern, BusEventHandler handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);

        // Inline delivery of a handler is for a transport's own handler overload, whose dispose cancels a handler holding
        // its receive thread: this loop reads the enumerable, and resumed on that thread its handler would have no token
        // the bus cancels.
        var enumerableOptions = options is { InlineDelivery: true } ? options with { InlineDelivery = false } : options;
        var subscription = await SubscribeAsync(pattern, enumerableOptions, cancellationToken).ConfigureAwait(false);
        return new Internal.EnumeratedHandlerSubscription(subscription, handler);
    }
}
