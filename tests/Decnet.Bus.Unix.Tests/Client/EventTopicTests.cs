using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An event's topic string on the receive path (docs/performance-history-3.md, part 13): the first subscription an
/// event names, when it is a literal whose pattern's bytes are the wire's topic, lends its pattern string, and only
/// then; the broker is not trusted to send matching topics.
/// </summary>
public sealed class EventTopicTests
{
    [Theory]
    [InlineData("decky.d1.mutation")]
    [InlineData("décky.ü.☃")]
    public async Task ALiteralSubscription_LendsItsPatternString(string topic)
    {
        await using var rig = new Rig(topic);
        rig.Dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 1.5, topic));
        rig.Dispatcher.EndOfRead();

        var evt = Assert.Single(rig.TakeAll(0));
        Assert.Equal(topic, evt.Topic);
        Assert.Same(rig.Queues[0].Pattern, evt.Topic);
    }

    [Theory]
    [InlineData("a.c")]
    [InlineData("a.bb")]
    [InlineData("a.ü")]
    public async Task ALiteralSubscription_GivenAnotherTopicByTheBroker_GetsTheTopicOnTheWire(string wire)
    {
        await using var rig = new Rig("a.b");
        rig.Dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 1.5, wire));
        rig.Dispatcher.EndOfRead();

        Assert.Equal(wire, Assert.Single(rig.TakeAll(0)).Topic);
    }

    [Fact]
    public async Task AHandlerSubscription_GivenAnotherTopicByTheBroker_GetsTheTopicOnTheWire()
    {
        const string Pattern = "a.b";
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        await using var queue = new HandlerSubscription(Pattern, 64, (_, _) => ValueTask.CompletedTask, loop, null, null);
        var dispatcher = DispatcherRig.Over(new ClientSubscription(1, Pattern, queue));
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 1.5, "a.c"));
        dispatcher.Deliver(HandlerAllocationTests.EvtBody([1], 2.5, Pattern));
        dispatcher.EndOfRead();

        byte[]? spare = null;
        Assert.True(queue.TryTake(ref spare, out var first));
        Assert.Equal("a.c", first.Topic);
        Assert.True(queue.TryTake(ref spare, out var second));
        Assert.Same(Pattern, second.Topic);
        Assert.False(queue.TryTake(ref spare, out _));
    }

    [Fact]
    public async Task AnEventForSeveralSubscriptions_CarriesOneTopicStringToAll()
    {
        await using var rig = new Rig("a.*", "a.b", "x.y");

        // Named first, the literal lends its pattern to every subscription the event reaches.
        rig.Dispatcher.Deliver(HandlerAllocationTests.EvtBody([2, 1], 1.5, "a.b"));

        // Named first, the wildcard gets a decoded string, which the others share; "x.y" is named by a broker that
        // sends it a topic it does not match, and gets the wire's topic.
        rig.Dispatcher.Deliver(HandlerAllocationTests.EvtBody([1, 2, 3], 2.5, "a.b"));
        rig.Dispatcher.EndOfRead();

        var wildcard = rig.TakeAll(0);
        var literal = rig.TakeAll(1);
        var other = Assert.Single(rig.TakeAll(2));
        Assert.Same(rig.Queues[1].Pattern, wildcard[0].Topic);
        Assert.Same(rig.Queues[1].Pattern, literal[0].Topic);
        Assert.Equal("a.b", wildcard[1].Topic);
        Assert.Same(wildcard[1].Topic, literal[1].Topic);
        Assert.Same(wildcard[1].Topic, other.Topic);
    }

    /// <summary>Enumerable subscriptions on <c>patterns</c> (sids 1, 2, …) and a dispatcher over them.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<BusEvent>[] _readers;

        public Rig(params string[] patterns)
        {
            Queues = patterns.Select(p => new ChannelSubscription(p, 64, null, null)).ToArray();
            _readers = Queues.Select(q => q.GetAsyncEnumerator()).ToArray();
            Dispatcher = DispatcherRig.Over([.. Queues.Select((q, i) => new ClientSubscription((uint)i + 1, q.Pattern, q))]);
        }

        public ChannelSubscription[] Queues { get; }

        public EventDispatcher Dispatcher { get; }

        /// <summary>
        /// Every event queued on subscription <paramref name="index"/>, read synchronously (MoveNext completes at once
        /// while events are queued).
        /// </summary>
        public List<BusEvent> TakeAll(int index)
        {
            var events = new List<BusEvent>();
            while (Queues[index].Received - Queues[index].Dropped > events.Count)
            {
                var next = _readers[index].MoveNextAsync();
                Assert.True(next.IsCompletedSuccessfully && next.Result);
                events.Add(_readers[index].Current);
            }

            return events;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var reader in _readers)
            {
                await reader.DisposeAsync();
            }

            foreach (var queue in Queues)
            {
                await queue.DisposeAsync();
            }
        }
    }
}
