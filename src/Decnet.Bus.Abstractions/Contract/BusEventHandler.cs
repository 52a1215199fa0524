namespace Decnet.Bus;

/// <summary>
/// Handles one event of a handler subscription (<see cref="IBus.SubscribeAsync(string, BusEventHandler, SubscriptionOptions?, CancellationToken)"/>).
/// Return <see cref="ValueTask.CompletedTask"/> when done synchronously: that path allocates nothing per event.
/// </summary>
/// <param name="delivery">The event; its memory is lent until the returned task completes.</param>
/// <param name="cancellationToken">Cancelled when the subscription is disposed.</param>
public delegate ValueTask BusEventHandler(BusDelivery delivery, CancellationToken cancellationToken);
