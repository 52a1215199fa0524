using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// The loss report on <see cref="BusEvent"/> (docs/Service-Bus.md, "Missed events") costs the lossless hot path no
/// allocation, and a loss the transport learns of before an event arrives rides on that event.
/// </summary>
public sealed class ChannelSubscriptionLossTests
{
    private const int _events = 512;

    [Fact]
    public async Task LosslessDeliveryAndRead_AllocateNothingPerEvent()
    {
        await using var subscription = new ChannelSubscription("a.>", _events, null, null);
        var evt = new BusEvent("a.b", new byte[] { 0x80 }, "t", null, 1);
        await using var reader = subscription.GetAsyncEnumerator();

        // Warm up: the channel's buffer grows and the iterator's state machine is created on first use.
        DeliverAndRead(subscription, reader, evt);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var same = DeliverAndRead(subscription, reader, evt);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(same, "a lossless delivery handed out a copy instead of the shared event");
        Assert.True(allocated < _events, $"{allocated} bytes allocated for {_events} lossless deliveries");
    }

    [Fact]
    public async Task LossesAnnouncedBeforeAnEvent_RideOnIt_AndOnlyOnIt()
    {
        await using var subscription = new ChannelSubscription("a.>", 8, null, null);
        subscription.TryDeliver(new BusEvent("a.old", new byte[] { 0x80 }, null, null, 1));
        subscription.AddLostBeforeNext(5);
        subscription.MarkMayHaveMissedBeforeNext();
        subscription.TryDeliver(new BusEvent("a.new", new byte[] { 0x80 }, null, null, 1));
        subscription.TryDeliver(new BusEvent("a.next", new byte[] { 0x80 }, null, null, 1));
        await using var reader = subscription.GetAsyncEnumerator();

        var read = new List<BusEvent>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            read.Add(reader.Current);
        }

        Assert.Equal([0L, 5L, 0L], read.Select(e => e.MissedBefore));
        Assert.Equal([false, true, false], read.Select(e => e.MayHaveMissed));
        Assert.Equal(["a.old", "a.new", "a.next"], read.Select(e => e.Topic));
    }

    [Fact]
    public async Task DroppedEntry_HandsOnWhatItCarried()
    {
        await using var subscription = new ChannelSubscription("a.>", 1, null, null);
        subscription.AddLostBeforeNext(2);
        subscription.MarkMayHaveMissedBeforeNext();
        subscription.TryDeliver(new BusEvent("a.carrier", new byte[] { 0x80 }, null, null, 1));
        subscription.TryDeliver(new BusEvent("a.kept", new byte[] { 0x80 }, null, null, 1)); // drops the carrier
        await using var reader = subscription.GetAsyncEnumerator();

        Assert.True(await reader.MoveNextAsync());

        Assert.Equal("a.kept", reader.Current.Topic);
        Assert.Equal(3, reader.Current.MissedBefore); // the 2 it carried, and itself
        Assert.True(reader.Current.MayHaveMissed);
    }

    [Fact]
    public async Task LostCountsNearLongMaxValue_Saturate_InsteadOfWrappingNegative()
    {
        // A broker's LOST count is any non-negative int64: two of them, added unchecked, wrapped MissedBefore negative.
        await using var subscription = new ChannelSubscription("a.>", 1, null, null);
        subscription.AddLostBeforeNext(long.MaxValue);
        subscription.AddLostBeforeNext(long.MaxValue);
        subscription.TryDeliver(new BusEvent("a.carrier", new byte[] { 0x80 }, null, null, 1));
        subscription.AddLostBeforeNext(long.MaxValue);
        subscription.TryDeliver(new BusEvent("a.dropper", new byte[] { 0x80 }, null, null, 1)); // drops the carrier
        subscription.AddLostBeforeNext(long.MaxValue);
        subscription.TryDeliver(new BusEvent("a.kept", new byte[] { 0x80 }, null, null, 1)); // drops the dropper
        await using var reader = subscription.GetAsyncEnumerator();

        Assert.True(await reader.MoveNextAsync());

        Assert.Equal("a.kept", reader.Current.Topic);
        Assert.Equal(long.MaxValue, reader.Current.MissedBefore);
    }

    private static bool DeliverAndRead(ChannelSubscription subscription, IAsyncEnumerator<BusEvent> reader, BusEvent evt)
    {
        var same = true;
        for (var i = 0; i < _events; i++)
        {
            subscription.TryDeliver(evt);
        }

        for (var i = 0; i < _events; i++)
        {
            var next = reader.MoveNextAsync();
            Assert.True(next.IsCompletedSuccessfully && next.Result);
            same &= ReferenceEquals(evt, reader.Current);
        }

        return same;
    }
}
