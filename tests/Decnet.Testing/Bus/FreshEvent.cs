using Decnet.Bus;

namespace Decnet.Testing;

/// <summary>
/// Waits for the first event that makes it through a (re)started broker. While clients reconnect a marker can be lost
/// (at-most-once), so the marker is published again until one arrives: that arrival is the acknowledgement that
/// publisher, broker and subscription are all live. No timer paces the retries: each publish waits for the caller's
/// acknowledgement (the broker's flush reply, or the publisher's next connection), so markers do not queue up behind
/// each other. A publish loop that only yielded put hundreds of milliseconds of markers into the publisher's outbox
/// before the subscriber was back, and the marker that could arrive waited behind them.
/// </summary>
internal static class FreshEvent
{
    /// <summary>
    /// Publishes <paramref name="marker"/> (as the event type) on <paramref name="topic"/> until one is read from
    /// <paramref name="events"/>; events with another type (spare markers of earlier rounds) are skipped. After each
    /// publish, awaits <paramref name="acknowledge"/>: it completes when the broker has taken the marker or the
    /// publisher's connection changed, and must not throw for a broker that is down.
    /// </summary>
    /// <exception cref="TimeoutException">No marker arrived within <paramref name="bound"/> (the failure bound).</exception>
    public static async Task<BusEvent> AwaitAsync(
        IBus publisher,
        IAsyncEnumerator<BusEvent> events,
        string topic,
        string marker,
        TimeSpan bound,
        Func<CancellationToken, Task> acknowledge)
    {
        using var deadline = new CancellationTokenSource(bound);
        var next = events.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                while (!next.IsCompleted)
                {
                    deadline.Token.ThrowIfCancellationRequested();
                    await publisher.PublishAsync(topic, new Dictionary<string, object?>(), marker, deadline.Token);
                    await acknowledge(deadline.Token);
                }

                Assert.True(await next, "the subscription ended");
                if (events.Current.Type == marker)
                {
                    return events.Current;
                }

                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no {marker} event on {topic} within {bound.TotalSeconds:0.###} s");
        }
    }
}
