using System.Runtime.CompilerServices;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// A reader that parks with a cancellable token registers on it, and whoever ends the wait takes the registration back,
/// even when the wait ends while the reader is still registering: a long-lived token (a host's stopping token) must not
/// keep finished subscriptions alive.
/// </summary>
public sealed class ReaderCancellationLeakTests
{
    private const int _events = 50_000;

    private static readonly TimeSpan _bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task WaitsEndedWhileRegistering_LeaveNoRegistrationOnALongLivedToken()
    {
        using var stopping = new CancellationTokenSource();
        var subscription = await ReadWhileDeliveringAsync(stopping.Token);

        // This method may resume on the consumer's own stack (its state machine, which holds the subscription, is
        // cleared only when that stack unwinds), and a pool thread ending the last wait holds the reader for a moment:
        // collect from a fresh work item until the subscription is gone. A registration left on the token never goes.
        var collected = await Task.Run(() => SpinWait.SpinUntil(() => IsCollected(subscription), _bound));

        Assert.True(collected, "a registration left on the live token keeps the disposed subscription alive");
        Assert.False(stopping.IsCancellationRequested);
    }

    private static bool IsCollected(WeakReference reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !reference.IsAlive;
    }

    /// <summary>
    /// A producer thread delivers one event at a time while a consumer enumerates with <paramref name="token"/>, so the
    /// consumer parks and is woken over and over; then the subscription is disposed and only a weak reference returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> ReadWhileDeliveringAsync(CancellationToken token)
    {
        var subscription = new ChannelSubscription("a.>", 16, null, null);
        var evt = new BusEvent("a.b", new byte[] { 0x80 }, null, null, 1);
        using var start = new Barrier(2);
        var read = 0;
        var consumer = Task.Run(async () =>
        {
            var reader = subscription.GetAsyncEnumerator(token);
            await using (reader.ConfigureAwait(false))
            {
                start.SignalAndWait(_bound);
                while (await reader.MoveNextAsync().ConfigureAwait(false))
                {
                    Interlocked.Increment(ref read);
                }
            }
        });
        var producer = new Thread(() =>
        {
            start.SignalAndWait(_bound);
            for (var i = 1; i <= _events; i++)
            {
                // Each event goes out as soon as the consumer has read the one before and heads back to wait: it lands
                // while the consumer parks, or registers on its token, at a slightly different moment each time.
                var ready = default(SpinWait);
                while (Volatile.Read(ref read) < i - 1)
                {
                    ready.SpinOnce(sleep1Threshold: -1);
                }

                subscription.TryDeliver(evt);
            }
        });
        producer.Start();
        Assert.True(producer.Join(_bound), "the producer did not finish");
        await subscription.DisposeAsync();
        await consumer.WaitAsync(_bound);
        return new WeakReference(subscription);
    }
}
