using System.Diagnostics;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

public sealed class KillLoopTests(ITestOutputHelper output)
{
    /// <summary>
    /// <c>decnet bus</c> killed with SIGKILL and restarted, again and again, while a publisher and a subscriber
    /// (<c>UnixSocketBus</c>) keep running: after every restart the subscription receives a fresh event within 2 s,
    /// its <c>Reconnected</c> count tells the consumer it may have missed events, the publisher never throws, and the
    /// client process does not accumulate file descriptors.
    /// </summary>
    [Fact]
    public async Task SigkillLoop_ClientsReconnectAndResubscribeWithinTwoSeconds_PublisherNeverThrows_NoFdLeak()
    {
        var cycles = FuzzInputs.Iterations("DECNET_KILL_CYCLES", 8);
        var directory = Directory.CreateTempSubdirectory("dnh").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        try
        {
            var broker = await BrokerProcess.StartAsync(socketPath);
            await using var publisher = new UnixSocketBus(Options(socketPath, "publisher"));
            await using var subscriber = new UnixSocketBus(Options(socketPath, "subscriber"));
            await using var subscription = await subscriber.SubscribeAsync("crash.>");
            await using var events = subscription.GetAsyncEnumerator(CancellationToken.None);
            await AwaitFreshEventAsync(publisher, events, 0);
            var fdsBefore = Directory.GetFiles("/proc/self/fd").Length;
            var worst = TimeSpan.Zero;

            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                await broker.KillAsync();
                await broker.DisposeAsync();
                broker = await BrokerProcess.StartAsync(socketPath);

                var clock = Stopwatch.StartNew();
                await AwaitFreshEventAsync(publisher, events, cycle);
                worst = clock.Elapsed > worst ? clock.Elapsed : worst;
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"cycle {cycle}: no event through the new broker within 2 s ({clock.Elapsed})");
            }

            await broker.DisposeAsync();
            var fdsAfter = Directory.GetFiles("/proc/self/fd").Length;
            output.WriteLine($"{cycles} SIGKILL cycles; slowest reconnect + re-subscribe + first event {worst.TotalMilliseconds:0} ms; subscription reconnected {subscription.Reconnected}; fds {fdsBefore} -> {fdsAfter}");

            Assert.Equal(cycles, subscription.Reconnected);
            Assert.True(fdsAfter - fdsBefore < cycles, $"file descriptors grew from {fdsBefore} to {fdsAfter} over {cycles} cycles");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Publishes markers for <paramref name="cycle"/> until one arrives. While the client is still reconnecting its
    /// publishes are dropped (and counted) without throwing; the first marker through proves publisher and subscriber
    /// are both back. Bounded by the caller's 2 s check and a hard 10 s bound here.
    /// </summary>
    private static async Task AwaitFreshEventAsync(UnixSocketBus publisher, IAsyncEnumerator<BusEvent> events, int cycle)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var marker = $"cycle-{cycle}";
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            while (!next.IsCompleted)
            {
                bound.Token.ThrowIfCancellationRequested();
                await publisher.PublishAsync("crash.marker", new { cycle }, type: marker, CancellationToken.None);
                await Task.Yield();
            }

            Assert.True(await next);
            if (events.Current.Type == marker)
            {
                return;
            }

            next = events.MoveNextAsync().AsTask();
        }
    }

    private static DecnetBusOptions Options(string socketPath, string name)
    {
        var options = LiveBroker.NewOptions(socketPath);
        options.ClientName = name;
        return options;
    }
}
