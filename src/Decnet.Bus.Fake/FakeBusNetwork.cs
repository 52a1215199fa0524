using Decnet.Bus.Internal;

namespace Decnet.Bus.Fake;

/// <summary>
/// The in-process stand-in for one broker host: every <see cref="FakeBus"/> joined to the same network sees the
/// others' publishes. Routing is synchronous, so an event is in every matching queue when publish returns.
/// </summary>
public sealed class FakeBusNetwork
{
    private readonly Lock _gate = new();

    // Copy-on-write: publishers read the array without locking; subscribe/unsubscribe replace it under _gate.
    private Entry[] _routes = [];

    /// <summary>Number of live subscriptions on this network, across all clients.</summary>
    public int SubscriptionCount => Volatile.Read(ref _routes).Length;

    /// <summary>Registers <paramref name="subscription"/>; it is live when this returns.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="owner"/> was disposed.</exception>
    internal void Add(SubscriptionQueue subscription, FakeBus owner)
    {
        lock (_gate)
        {
            // Checked under the lock that RemoveOwner takes after setting the flag, so a subscription created while
            // the bus is being disposed is either refused here or removed (and completed) there, never leaked.
            ObjectDisposedException.ThrowIf(owner.IsDisposed, owner);
            _routes = [.. _routes, new Entry(subscription, owner)];
        }
    }

    internal void Remove(SubscriptionQueue subscription)
    {
        lock (_gate)
        {
            var index = Array.FindIndex(_routes, r => ReferenceEquals(r.Subscription, subscription));
            if (index >= 0)
            {
                _routes = [.. _routes.AsSpan(0, index), .. _routes.AsSpan(index + 1)];
            }
        }
    }

    /// <summary>Unregisters every subscription of <paramref name="owner"/> and returns them for disposal.</summary>
    internal SubscriptionQueue[] RemoveOwner(FakeBus owner)
    {
        lock (_gate)
        {
            var owned = Array.FindAll(_routes, r => ReferenceEquals(r.Owner, owner));
            _routes = Array.FindAll(_routes, r => !ReferenceEquals(r.Owner, owner));
            return Array.ConvertAll(owned, r => r.Subscription);
        }
    }

    /// <summary>Queues <paramref name="evt"/> on every matching subscription; never blocks.</summary>
    internal void Route(BusEvent evt, FakeBus publisher)
    {
        foreach (var route in Volatile.Read(ref _routes))
        {
            if (ReferenceEquals(route.Owner, publisher) && !publisher.Echo)
            {
                continue;
            }

            if (Topics.MatchesValidated(route.Subscription.Pattern, evt.Topic))
            {
                route.Subscription.TryDeliver(evt);
            }
        }
    }

    private readonly record struct Entry(SubscriptionQueue Subscription, FakeBus Owner);
}
