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
    // A failure bound only. Issue 4's "within 2 s" is a latency, not asserted in xunit: scripts/soak.sh fails on it
    // after any restart; its CI round only prints it (docs/reliability-crash-and-soak.md, §8).
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task After_sigkill_and_restart_subscriptions_are_restored_without_caller_action()
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
            await using var events = subscription.GetAsyncEnumerator();
            await FreshEvent.AwaitAsync(publisher, events, "crash.initial", "marker-initial", _bound, ct => AcknowledgeAsync(publisher, ct));

            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                // Crash: no BYE, and the socket file stays behind as a stale socket for the next broker to replace.
                await broker.KillAsync();
                await broker.DisposeAsync();
                Assert.True(File.Exists(socket.Path), "SIGKILL should leave the socket file behind");

                // Publishing while the broker is gone is not an error: the event is a lost hint.
                await publisher.PublishAsync($"crash.c{cycle}.lost", new Dictionary<string, object?>());

                broker = await BrokerProcess.StartAsync(socket.Path);
                var evt = await FreshEvent.AwaitAsync(publisher, events, $"crash.c{cycle}.marker", $"marker-c{cycle}", _bound, ct => AcknowledgeAsync(publisher, ct));

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
    /// A marker's acknowledgement: the broker's flush reply (it routed the marker). With no broker the flush fails at
    /// once, or when the connection attempt in progress does; the marker is then simply published again.
    /// </summary>
    private static async Task AcknowledgeAsync(UnixSocketBus publisher, CancellationToken cancellationToken)
    {
        try
        {
            await publisher.FlushAsync(cancellationToken);
        }
        catch (BusUnavailableException)
        {
            await Task.Yield();
        }
    }
}
