using System.Reflection;
using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A subscribe racing the bus's disposal is either refused (<see cref="ObjectDisposedException"/>) or ended with the
/// bus, as the UNIX client's (Unix.Tests Client.SubscribeDisposeRaceTests): no subscription outlives the disposal
/// with an enumeration that never ends or a handler token never cancelled, and none waits out the subscribe bound.
/// </summary>
[RequiresNatsServer]
public sealed class NatsSubscribeDisposeRaceTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private const int _rounds = 200;
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task EnumerableSubscribe_RacingDispose_IsRefusedOrEnds()
    {
        var returned = 0;
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new NatsBus(NatsTestOptions.For(fixture.Server, "race"));
            if (await RaceAsync(bus, round, () => bus.SubscribeAsync("race.>").AsTask()) is not { } subscription)
            {
                continue;
            }

            returned++;
            await using var events = subscription.GetAsyncEnumerator();
            Assert.False(await events.MoveNextAsync().AsTask().WaitAsync(_bound), $"round {round}: an event after disposal");
        }

        Assert.True(returned > 0, "no subscribe got past the disposal in any round: the race was never run");
    }

    [Fact]
    public async Task HandlerSubscribe_RacingDispose_IsRefusedOrHasItsTokenCancelled()
    {
        var returned = 0;
        for (var round = 0; round < _rounds; round++)
        {
            var bus = new NatsBus(NatsTestOptions.For(fixture.Server, "race"));
            if (await RaceAsync(bus, round, () => bus.SubscribeAsync("race.>", static (_, _) => ValueTask.CompletedTask).AsTask()) is not HandlerSubscription subscription)
            {
                continue;
            }

            returned++;
            Assert.True(subscription.Disposing.IsCancellationRequested, $"round {round}: the handler's token was not cancelled");
        }

        Assert.True(returned > 0, "no subscribe got past the disposal in any round: the race was never run");
    }

    [Fact]
    public async Task TheDisposal_OfABusThatNeverStarted_EndsTheFirstAttempt()
    {
        var bus = new NatsBus(NatsTestOptions.For(fixture.Server, "never"));
        await bus.DisposeAsync();

        await bus.FirstAttempt.WaitAsync(_bound);
    }

    [Fact]
    public async Task AWaitForTheFirstConnection_PastItsDisposedCheck_WhenTheDisposalWon_EndsAtOnce()
    {
        var bus = new NatsBus(NatsTestOptions.For(fixture.Server, "late"));
        await bus.DisposeAsync();

        // What SubscribeAsync does next once past its disposed check, had the disposal come in between: with no bound
        // of its own, only a first attempt that ends ends it (before, the connect it started stopped at once, unended).
        var waiting = (Task<bool>)typeof(NatsBus)
            .GetMethod("WaitForOpenAsync", BindingFlags.NonPublic | BindingFlags.Instance)!
            .Invoke(bus, [Timeout.InfiniteTimeSpan, CancellationToken.None])!;

        Assert.False(await waiting.WaitAsync(_bound));
    }

    [Fact]
    public async Task NegativeReconnectDelays_SetInCode_DoNotEndTheFirstConnectLoop()
    {
        await using var server = await NatsServer.StartAsync();
        var options = NatsTestOptions.For(server, "negative");
        options.ReconnectMinDelay = TimeSpan.FromMilliseconds(-5);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(-5);
        await server.StopAsync();
        await using var bus = new NatsBus(options);
        Assert.False(await bus.WaitForConnectionAsync(TimeSpan.Zero));
        await bus.FirstAttempt.WaitAsync(_bound);

        await server.RestartAsync();

        Assert.True(await bus.WaitForConnectionAsync(_bound), "the client never connected once the server was up");
    }

    /// <summary>
    /// Runs <paramref name="subscribe"/> and the bus's disposal on two threads released together, the disposal after a
    /// spin that grows with <paramref name="round"/> so the rounds sweep it across the subscribe; returns the
    /// subscription, or null when the subscribe was refused because the bus is disposed.
    /// </summary>
    private static async Task<T?> RaceAsync<T>(NatsBus bus, int round, Func<Task<T>> subscribe)
        where T : class
    {
        using var start = new Barrier(2);
        var subscribing = Task.Run(() =>
        {
            start.SignalAndWait(_bound);
            return subscribe();
        });
        var disposing = Task.Run(async () =>
        {
            start.SignalAndWait(_bound);
            Thread.SpinWait((round % 50) * 400);
            await bus.DisposeAsync();
        });

        await disposing.WaitAsync(_bound);
        try
        {
            // Shorter than the subscribe's own wait bound: a subscribe the disposal left waiting for it fails here.
            return await subscribing.WaitAsync(NatsBus.SubscribeWaitBound - TimeSpan.FromSeconds(1));
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
