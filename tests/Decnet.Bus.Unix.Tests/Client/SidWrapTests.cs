using System.Reflection;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The client's sid counter wraps after 2³² subscribes; a new subscription then gets the next sid no live one holds
/// (never 0, as the C# client counts from 1, docs/wire-protocol.md §4.2). Before, a wrapped sid replaced the live
/// subscription holding it: that one silently stopped receiving, and the new pattern was never sent to the broker.
/// The test starts the counter just below the wrap instead of subscribing 2³² times.
/// </summary>
public sealed class SidWrapTests
{
    [Fact]
    public async Task AfterTheSidCounterWraps_NewSubscriptionsSkipLiveSids_AndEveryoneReceivesItsOwn()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("wrap");
        await using var first = await bus.SubscribeAsync("a.one"); // sid 1
        typeof(UnixSocketBus).GetField("_nextSid", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(bus, uint.MaxValue - 1);
        await using var last = await bus.SubscribeAsync("b.last"); // sid 2³²−1
        await using var wrapped = await bus.SubscribeAsync("b.wrapped"); // past 0 and the live 1: sid 2
        await using var next = await bus.SubscribeAsync("b.next"); // sid 3

        Assert.Equal(4, bus.SubscriptionCount);
        await bus.PublishAsync("a.one", new { });
        await bus.PublishAsync("b.last", new { });
        await bus.PublishAsync("b.wrapped", new { });
        await bus.PublishAsync("b.next", new { });
        Assert.Equal("a.one", (await Receive.NextAsync(first)).Topic);
        Assert.Equal("b.last", (await Receive.NextAsync(last)).Topic);
        Assert.Equal("b.wrapped", (await Receive.NextAsync(wrapped)).Topic);
        Assert.Equal("b.next", (await Receive.NextAsync(next)).Topic);
    }
}
