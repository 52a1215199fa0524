namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A broker, a subscribing and a publishing client, and one enumerable subscription with its enumerator: the set-up of
/// the tests of where a waiting consumer resumes. Disposed in reverse order: the enumerator, the subscription, then the
/// broker, which disposes its clients.
/// </summary>
internal sealed class EnumeratedSubscription : IAsyncDisposable
{
    private readonly IBusSubscription _subscription;

    private EnumeratedSubscription(TestBroker broker, UnixSocketBus subscriber, UnixSocketBus publisher, IBusSubscription subscription)
    {
        Broker = broker;
        _subscription = subscription;
        Subscriber = subscriber;
        Publisher = publisher;
        Events = subscription.GetAsyncEnumerator();
    }

    public TestBroker Broker { get; }

    public UnixSocketBus Subscriber { get; }

    public UnixSocketBus Publisher { get; }

    public IAsyncEnumerator<BusEvent> Events { get; }

    /// <summary>Starts a broker and subscribes its "sub" client to <paramref name="pattern"/>; "pub" publishes.</summary>
    public static async Task<EnumeratedSubscription> StartAsync(string pattern, SubscriptionOptions? options = null)
    {
        var broker = await TestBroker.StartAsync();
        try
        {
            var subscriber = broker.CreateClient("sub");
            var publisher = broker.CreateClient("pub");
            return new EnumeratedSubscription(broker, subscriber, publisher, await subscriber.SubscribeAsync(pattern, options));
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out UnixSocketBus subscriber, out UnixSocketBus publisher, out IAsyncEnumerator<BusEvent> events)
        => (subscriber, publisher, events) = (Subscriber, Publisher, Events);

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync();
        await _subscription.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
