using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Losses nobody can count are flagged on the first event after them (<see cref="BusEvent.MayHaveMissed"/>), never on
/// an event from before (docs/Service-Bus.md, "Missed events"). ClientTests checks the flag after a plain reconnect
/// and after subscribing while the broker was down.
/// </summary>
public sealed class MayHaveMissedTests
{
    [Fact]
    public async Task BrokerRestart_WhileEventsAreStillQueued_FlagsTheFirstNewEventOnly()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("gapq.>");
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await publisher.PublishAsync("gapq.old", new { });
        await publisher.GetBrokerStatsAsync(); // a barrier: gapq.old is routed, and the publisher is connected
        await subscriber.WaitForGenerationAsync(1, timeout.Token);

        // gapq.old sits unread in the subscription's queue across the restart (a graceful stop flushes it first).
        await broker.RestartAsync();
        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await publisher.WaitForGenerationAsync(2, timeout.Token);
        await publisher.PublishAsync("gapq.new", new { });
        await publisher.PublishAsync("gapq.next", new { });
        var events = await Receive.TakeAsync(sub, 3);

        Assert.Equal(["gapq.old", "gapq.new", "gapq.next"], events.Select(e => e.Topic));
        Assert.Equal([false, true, false], events.Select(e => e.MayHaveMissed));
    }
}
