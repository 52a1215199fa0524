using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// The broker process dies with SIGKILL (no BYE, stale socket left behind) and a new one starts on the same path:
/// clients reconnect and re-subscribe on their own, and publishing never throws meanwhile.
/// </summary>
public sealed class BrokerCrashTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    // Issue 4: "clients publish and receive again within 2 s with their subscriptions restored".
    private static readonly TimeSpan _recovery = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task After_sigkill_and_restart_subscriptions_are_restored_within_2s_without_caller_action()
    {
        const int Cycles = 5;
        using var socket = new TempSocket();
        var options = new DecnetBusOptions { SocketPath = socket.Path, Group = string.Empty };
        var broker = await BrokerProcess.StartAsync(socket.Path);
        try
        {
            await using var subscriber = new UnixSocketBus(options);
            await using var publisher = new UnixSocketBus(options);
            await using var subscription = await subscriber.SubscribeAsync("crash.>");
            await ReceiveMarkerAsync(publisher, subscription, "crash.initial", _bound);

            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                // Crash: no BYE, and the socket file stays behind as a stale socket for the next broker to replace.
                await broker.KillAsync();
                await broker.DisposeAsync();
                Assert.True(File.Exists(socket.Path), "SIGKILL should leave the socket file behind");

                // Publishing while the broker is gone is not an error: the event is a lost hint.
                await publisher.PublishAsync($"crash.c{cycle}.lost", new Dictionary<string, object?>());

                broker = await BrokerProcess.StartAsync(socket.Path);
                var evt = await ReceiveMarkerAsync(publisher, subscription, $"crash.c{cycle}.marker", _recovery);

                Assert.Equal($"crash.c{cycle}.marker", evt.Topic);
                Assert.Equal(cycle, subscription.Reconnected);
            }
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    /// <summary>
    /// Publishes a marker and waits a short round for it, repeating until <paramref name="bound"/>: while clients
    /// reconnect a marker can be lost (at-most-once), so one arriving is the acknowledgement that both sides are live.
    /// </summary>
    private static async Task<BusEvent> ReceiveMarkerAsync(IBus publisher, IBusSubscription subscription, string topic, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        var events = subscription.GetAsyncEnumerator(deadline.Token);
        var pending = events.MoveNextAsync().AsTask();
        while (true)
        {
            await publisher.PublishAsync(topic, new Dictionary<string, object?> { ["at"] = DateTime.UtcNow.Ticks });

            // Failure bound for this one marker only; the pending read carries over to the next round.
            var roundTimeout = Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            while (await Task.WhenAny(pending, roundTimeout) == pending)
            {
                Assert.True(await pending, "subscription ended");
                if (events.Current.Topic == topic)
                {
                    return events.Current;
                }

                // A spare marker of an earlier round (several can be in flight) or a hint that outlived the crash:
                // not this round's acknowledgement, so keep reading.
                pending = events.MoveNextAsync().AsTask();
            }

            Assert.False(deadline.IsCancellationRequested, $"no marker on {topic} within {bound}");
        }
    }
}
