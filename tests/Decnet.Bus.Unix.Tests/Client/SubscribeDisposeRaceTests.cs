using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A subscribe racing the bus's disposal is either refused (<see cref="ObjectDisposedException"/>) or ended with the bus:
/// no subscription outlives the disposal with an enumeration that never ends or a handler token never cancelled.
/// </summary>
public sealed class SubscribeDisposeRaceTests
{
    private const int _rounds = 200;

    [Fact]
    public async Task EnumerableSubscribe_RacingDispose_IsRefusedOrEnds()
    {
        using var dir = new TempSocketDir();
        var returned = 0;
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
            if (await RaceAsync(bus, round, () => bus.SubscribeAsync("race.>").AsTask()) is not { } subscription)
            {
                continue;
            }

            returned++;
            await using var events = subscription.GetAsyncEnumerator();
            Assert.False(await events.MoveNextAsync().AsTask().WaitAsync(TestBroker.Bound), $"round {round}: an event after disposal");
            Assert.Equal(0, bus.SubscriptionCount);
        }

        Assert.True(returned > 0, "no subscribe got past the disposal in any round: the race was never run");
    }

    [Fact]
    public async Task HandlerSubscribe_RacingDispose_IsRefusedOrHasItsTokenCancelled()
    {
        using var dir = new TempSocketDir();
        var returned = 0;
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
            if (await RaceAsync(bus, round, () => bus.SubscribeAsync("race.>", static (_, _) => ValueTask.CompletedTask).AsTask()) is not HandlerSubscription subscription)
            {
                continue;
            }

            returned++;
            Assert.True(subscription.Disposing.IsCancellationRequested, $"round {round}: the handler's token was not cancelled");
            Assert.Equal(0, bus.SubscriptionCount);
        }

        Assert.True(returned > 0, "no subscribe got past the disposal in any round: the race was never run");
    }

    /// <summary>
    /// Runs <paramref name="subscribe"/> and the bus's disposal on two threads released together, the disposal after a
    /// spin that grows with <paramref name="round"/> so the rounds sweep it across the subscribe (released at once, the
    /// disposal always won); returns the subscription, or null when the subscribe was refused because the bus is disposed.
    /// </summary>
    private static async Task<T?> RaceAsync<T>(UnixSocketBus bus, int round, Func<Task<T>> subscribe)
        where T : class
    {
        using var start = new Barrier(2);
        var subscribing = Task.Run(() =>
        {
            start.SignalAndWait(TestBroker.Bound);
            return subscribe();
        });
        var disposing = Task.Run(async () =>
        {
            start.SignalAndWait(TestBroker.Bound);
            Thread.SpinWait((round % 50) * 400);
            await bus.DisposeAsync();
        });

        await disposing.WaitAsync(TestBroker.Bound);
        try
        {
            return await subscribing.WaitAsync(TestBroker.Bound);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
