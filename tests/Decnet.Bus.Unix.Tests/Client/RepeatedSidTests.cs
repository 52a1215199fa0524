using System.Buffers;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An EVT lists each matching sid of the connection once (docs/wire-protocol.md §3, <c>sids</c>); one from a broker
/// that names a sid more than once still reaches that subscription once, on the span path and on the general one, so
/// a broker cannot multiply an event or inflate a subscription's Received and Dropped counts.
/// </summary>
public sealed class RepeatedSidTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnEvtNamingASidSeveralTimes_ReachesEachSubscriptionOnce(bool generalPath)
    {
        // A stopped loop: nothing takes the events, so each queue's Received is exactly what was appended.
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        await using var handler = new HandlerSubscription("a.>", 64, (_, _) => ValueTask.CompletedTask, loop, null, null);
        await using var channel = new ChannelSubscription("a.>", 64, null, null);
        var dispatcher = DispatcherRig.Over(new ClientSubscription(1, "a.>", handler), new ClientSubscription(2, "a.>", channel));

        // Over EventDispatcher.JoinedBytes and split across segments, an EVT is read by the general decoder.
        var body = HandlerAllocationTests.EvtBody([1, 2, 1, 1, 2, 3, 1], 1.5, pad: generalPath ? 2 * EventDispatcher.JoinedBytes : 0);
        dispatcher.Deliver(generalPath ? Segments.Split(body.ToArray(), 4096) : body);
        dispatcher.EndOfRead();

        Assert.Equal((1, 1), (handler.Received, channel.Received));
        Assert.Equal((0, 0), (handler.Dropped, channel.Dropped));
    }
}
