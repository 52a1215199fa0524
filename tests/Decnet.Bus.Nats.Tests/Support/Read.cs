namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>Bounded reads from a subscription: the bound is a failure limit only.</summary>
internal static class Read
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task<BusEvent> OneAsync(IBusSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(Bound);
        await using var enumerator = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await enumerator.MoveNextAsync(), $"subscription {subscription.Pattern} ended");
        return enumerator.Current;
    }

    /// <summary>Reads until an event on <paramref name="marker"/>; returns the events before it.</summary>
    public static async Task<List<BusEvent>> UntilAsync(IBusSubscription subscription, string marker)
    {
        var events = new List<BusEvent>();
        using var timeout = new CancellationTokenSource(Bound);
        await using var enumerator = subscription.GetAsyncEnumerator(timeout.Token);
        while (await enumerator.MoveNextAsync())
        {
            if (enumerator.Current.Topic == marker)
            {
                return events;
            }

            events.Add(enumerator.Current);
        }

        Assert.Fail($"subscription {subscription.Pattern} ended before {marker}");
        return events;
    }
}
