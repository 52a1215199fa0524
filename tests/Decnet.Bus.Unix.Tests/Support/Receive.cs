namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Bounded waits for events on a subscription.</summary>
internal static class Receive
{
    public static async Task<BusEvent> NextAsync(IBusSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await using var e = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await e.MoveNextAsync(), "the subscription ended before an event arrived");
        return e.Current;
    }

    public static async Task<List<BusEvent>> TakeAsync(IBusSubscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var events = new List<BusEvent>(count);
        await foreach (var evt in subscription.WithCancellation(timeout.Token))
        {
            events.Add(evt);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }
}
