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
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
            if (await RaceAsync(bus, () => bus.SubscribeAsync("race.>").AsTask()) is not { } subscription)
            {
                continue;
            }

            await using var events = subscription.GetAsyncEnumerator();
            Assert.False(await events.MoveNextAsync().AsTask().WaitAsync(TestBroker.Bound), $"round {round}: an event after disposal");
            Assert.Equal(0, bus.SubscriptionCount);
        }
    }

    [Fact]
    public async Task HandlerSubscribe_RacingDispose_IsRefusedOrHasItsTokenCancelled()
    {
        using var dir = new TempSocketDir();
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
            if (await RaceAsync(bus, () => bus.SubscribeAsync("race.>", static (_, _) => ValueTask.CompletedTask).AsTask()) is not HandlerSubscription subscription)
            {
                continue;
            }

            Assert.True(subscription.Disposing.IsCancellationRequested, $"round {round}: the handler's token was not cancelled");
            Assert.Equal(0, bus.SubscriptionCount);
        }
    }

    /// <summary>
    /// Runs <paramref name="subscribe"/> and the bus's disposal on two threads released together; returns the
    /// subscription, or null when the subscribe was refused because the bus is disposed.
    /// </summary>
    private static async Task<T?> RaceAsync<T>(UnixSocketBus bus, Func<Task<T>> subscribe)
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
