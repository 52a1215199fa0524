using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Losses nobody can count are flagged on the next event (<see cref="BusEvent.MayHaveMissed"/>): events published
/// while the connection was down, or before a subscription went live (docs/Service-Bus.md, "Missed events").
/// </summary>
public sealed class MayHaveMissedTests
{
    [Fact]
    public async Task BrokerRestart_FirstEventAfterTheReconnectIsFlagged_OnlyThatOne()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("gap.>");
        await publisher.PublishAsync("gap.before", new { });
        var before = await Receive.NextAsync(sub);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await subscriber.WaitForGenerationAsync(1, timeout.Token);

        await broker.RestartAsync();
        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await publisher.WaitForGenerationAsync(2, timeout.Token);
        await publisher.PublishAsync("gap.first", new { });
        await publisher.PublishAsync("gap.second", new { });
        var after = await Receive.TakeAsync(sub, 2);

        Assert.False(before.MayHaveMissed);
        Assert.Equal(["gap.first", "gap.second"], after.Select(e => e.Topic));
        Assert.True(after[0].MayHaveMissed);
        Assert.Equal(0, after[0].MissedBefore);
        Assert.False(after[1].MayHaveMissed);
    }

    [Fact]
    public async Task BrokerRestart_WhileEventsAreStillQueued_FlagsTheFirstNewEvent_NotAQueuedOldOne()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        await using var sub = await subscriber.SubscribeAsync("gapq.>");
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await publisher.PublishAsync("gapq.old", new { });
        await publisher.GetBrokerStatsAsync(); // routed
        await subscriber.WaitForGenerationAsync(1, timeout.Token);

        // gapq.old sits unread in the subscription's queue across the restart.
        await broker.RestartAsync();
        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await publisher.WaitForGenerationAsync(2, timeout.Token);
        await publisher.PublishAsync("gapq.new", new { });
        var events = await Receive.TakeAsync(sub, 2);

        Assert.Equal(["gapq.old", "gapq.new"], events.Select(e => e.Topic));
        Assert.False(events[0].MayHaveMissed);
        Assert.True(events[1].MayHaveMissed);
    }

    [Fact]
    public async Task SubscribedWhileBrokerDown_FirstEventIsFlagged()
    {
        using var dir = new TempSocketDir();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath));
        await using var sub = await bus.SubscribeAsync("late.>");
        await using var server = new BusServer(Microsoft.Extensions.Options.Options.Create(TestBroker.NewOptions(dir.SocketPath)));
        await server.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await bus.WaitForGenerationAsync(1, timeout.Token);

        await bus.PublishAsync("late.one", new { });
        await bus.PublishAsync("late.two", new { });
        var events = await Receive.TakeAsync(sub, 2);

        Assert.True(events[0].MayHaveMissed);
        Assert.False(events[1].MayHaveMissed);
    }
}
