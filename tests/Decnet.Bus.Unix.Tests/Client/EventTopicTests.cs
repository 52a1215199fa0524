using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An event's topic string on the receive path (docs/performance.md, part 13): a literal subscription lends its own
/// pattern string when the wire's topic bytes are that pattern's, and only then; the broker is not trusted to send
/// matching topics.
/// </summary>
public sealed class EventTopicTests
{
    [Theory]
    [InlineData("decky.d1.mutation")]
    [InlineData("décky.ü.☃")]
    public void ALiteralSubscription_LendsItsPatternString(string topic)
    {
        var (dispatcher, queues) = Dispatcher(topic);
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 1.5, topic));
        dispatcher.EndOfRead();

        var evt = Assert.Single(TakeAll(queues[0]));
        Assert.Equal(topic, evt.Topic);
        Assert.Same(queues[0].Pattern, evt.Topic);
    }

    [Fact]
    public void ALiteralSubscription_GivenAnotherTopicByTheBroker_GetsTheTopicOnTheWire()
    {
        var (dispatcher, queues) = Dispatcher("a.b");
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 1.5, "a.c"));
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 2.5, "a.bb"));
        dispatcher.EndOfRead();

        Assert.Equal(["a.c", "a.bb"], TakeAll(queues[0]).Select(e => e.Topic));
    }

    [Fact]
    public void AnEventForAWildcardAndALiteral_CarriesItsTopicToBoth()
    {
        var (dispatcher, queues) = Dispatcher("a.*", "a.b", "x.y");
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1, 2, 3], 1.5, "a.b"));
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([2, 1], 2.5, "a.b"));
        dispatcher.EndOfRead();

        Assert.Equal(["a.b", "a.b"], TakeAll(queues[0]).Select(e => e.Topic));
        Assert.Equal(["a.b", "a.b"], TakeAll(queues[1]).Select(e => e.Topic));

        // "x.y" is named by a broker that sends it a topic it does not match: it still gets the wire's topic.
        Assert.Equal("a.b", Assert.Single(TakeAll(queues[2])).Topic);
    }

    private static (EventDispatcher Dispatcher, ChannelSubscription[] Queues) Dispatcher(params string[] patterns)
    {
        var queues = patterns.Select(p => new ChannelSubscription(p, 64, null, null)).ToArray();
        var clients = queues.Select((q, i) => new ClientSubscription((uint)i + 1, q.Pattern, q)).ToArray();
        var dispatcher = new EventDispatcher(sid => sid >= 1 && sid <= clients.Length ? clients[sid - 1] : null, NullLogger.Instance, waitsForCatchUp: false);
        return (dispatcher, queues);
    }

    /// <summary>Every queued event, read synchronously (MoveNext completes at once while events are queued).</summary>
    private static List<BusEvent> TakeAll(ChannelSubscription queue)
    {
        var events = new List<BusEvent>();
        var reader = queue.GetAsyncEnumerator();
        while (queue.Received - queue.Dropped > events.Count)
        {
            var next = reader.MoveNextAsync();
            Assert.True(next.IsCompletedSuccessfully && next.Result);
            events.Add(reader.Current);
        }

        return events;
    }
}
