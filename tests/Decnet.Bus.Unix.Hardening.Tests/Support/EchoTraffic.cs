using System.Globalization;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>The well-behaved client of the hostile runs: publishes on one connection and reads every event back in order.</summary>
internal static class EchoTraffic
{
    /// <summary>
    /// Publishes sequence numbers in windows of 50 and reads each window back before the next, checking order, until
    /// stopped (or, with <paramref name="limit"/>, until that many were sent). Returns (sent, received in order).
    /// The client's own PUBs keep it under the broker's idle timeout.
    /// </summary>
    public static async Task<(int Sent, int Received)> RunAsync(UnixSocketBus bus, IBusSubscription subscription, CancellationToken stop, int limit = int.MaxValue)
    {
        await Task.Yield();
        var sent = 0;
        var received = 0;
        await using var events = subscription.GetAsyncEnumerator(CancellationToken.None);
        while (!stop.IsCancellationRequested && sent < limit)
        {
            for (var i = 0; i < 50; i++)
            {
                await bus.PublishAsync("good.seq", new { n = sent }, type: sent.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
                sent++;
            }

            while (received < sent)
            {
                var next = events.MoveNextAsync().AsTask();
                Assert.True(await next.WaitAsync(LiveBroker.Bound), "the subscription ended");
                Assert.Equal(received.ToString(CultureInfo.InvariantCulture), events.Current.Type);
                received++;
            }
        }

        return (sent, received);
    }
}
