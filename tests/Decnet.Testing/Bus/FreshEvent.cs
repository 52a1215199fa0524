using Decnet.Bus;

namespace Decnet.Testing;

/// <summary>
/// Waits for the first event that makes it through a (re)started broker. While clients reconnect a marker can be lost
/// (at-most-once), so the marker is published again until one arrives: that arrival is the acknowledgement that
/// publisher, broker and subscription are all live. No timer paces the retries; each publish yields once.
/// </summary>
internal static class FreshEvent
{
    /// <summary>
    /// Publishes <paramref name="marker"/> (as the event type) on <paramref name="topic"/> until one is read from
    /// <paramref name="events"/>; events with another type (spare markers of earlier rounds) are skipped.
    /// </summary>
    /// <exception cref="TimeoutException">No marker arrived within <paramref name="bound"/> (the failure bound).</exception>
    public static async Task<BusEvent> AwaitAsync(IBus publisher, IAsyncEnumerator<BusEvent> events, string topic, string marker, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            while (!next.IsCompleted)
            {
                if (deadline.IsCancellationRequested)
                {
                    throw new TimeoutException($"no {marker} event on {topic} within {bound.TotalSeconds:0.###} s");
                }

                await publisher.PublishAsync(topic, new Dictionary<string, object?>(), marker);
                await Task.Yield();
            }

            Assert.True(await next, "the subscription ended");
            if (events.Current.Type == marker)
            {
                return events.Current;
            }

            next = events.MoveNextAsync().AsTask();
        }
    }
}
