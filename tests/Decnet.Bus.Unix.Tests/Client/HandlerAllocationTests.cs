using System.Buffers;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The handler path allocates nothing per event in steady state (docs/performance-history.md, "Hot path redesign (issue
/// 14): client side"): decoding a read's EVT frames, queueing them on a handler subscription, and taking each one out for its
/// handler, or, with inline delivery, handing each to its handler on the decoding thread. Measured on one thread with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, so it is deterministic.
/// </summary>
public sealed class HandlerAllocationTests
{
    private const int _events = 4096;
    private const int _warmUp = 1024;
    private const int _windows = LeastAllocated.DefaultWindows;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task DecodeQueueAndHandOut_AllocateNothingPerEvent(bool inline, bool splitAcrossSegments)
    {
        // A stopped loop: Wake schedules nothing, so this thread does all the work and sees every allocation.
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        long handled = 0;
        var subscription = new HandlerSubscription("a.>", 256, (delivery, _) =>
        {
            handled += delivery.Payload.Length > 0 ? 1 : 0;
            return ValueTask.CompletedTask;
        }, loop, null, null, inline);

        // A frame that a receive buffer's segment ends in the middle of (one per 64 KiB) takes the same path as the others.
        var body = splitAcrossSegments ? Segments.Split(EvtBody().ToArray(), 7) : EvtBody();
        var allocated = AllocatedOnTheHandlerPath([new ClientSubscription(1, "a.>", subscription)], [body]);

        Assert.Equal(_warmUp + (_windows * _events), handled);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {_events} events on the handler path");
        await subscription.DisposeAsync();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task LiteralSubscriptionsOnTopicsInTurn_AllocateNothingPerEvent(bool inline, bool wildcardFirst)
    {
        // W4's shape: one literal subscription per topic, the events moving between topics, so no two in a row share
        // a topic and the last decoded topic string is never the one needed. With a wildcard subscription of the same
        // connection listed first in each EVT, the event's topic string still comes from the literal one.
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        const int topics = 8;
        const uint wildcardSid = topics + 1; // the rig finds sids 1, 2, … in the order of the array
        var handled = 0;
        var wrongTopics = 0;
        var clients = new List<ClientSubscription>();
        var bodies = new ReadOnlySequence<byte>[topics];
        for (var t = 0; t < topics; t++)
        {
            var topic = $"a.t{t}";
            ValueTask Count(BusDelivery delivery, CancellationToken token)
            {
                handled++;
                wrongTopics += delivery.Topic == topic ? 0 : 1;
                return ValueTask.CompletedTask;
            }

            clients.Add(new ClientSubscription((uint)t + 1, topic, new HandlerSubscription(topic, 256, Count, loop, null, null, inline)));
            bodies[t] = EvtBody(wildcardFirst ? [wildcardSid, (uint)t + 1] : [(uint)t + 1], 1.5, topic);
        }

        if (wildcardFirst)
        {
            clients.Add(new ClientSubscription(wildcardSid, "a.*", new HandlerSubscription("a.*", 256, (delivery, _) =>
            {
                handled++;
                return ValueTask.CompletedTask;
            }, loop, null, null, inline)));
        }

        var allocated = AllocatedOnTheHandlerPath([.. clients], bodies);

        Assert.Equal((wildcardFirst ? 2 : 1) * (_warmUp + (_windows * _events)), handled);
        Assert.Equal(0, wrongTopics);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {_events} events on {topics} topics in turn");
        foreach (var client in clients)
        {
            await client.Queue.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AWildcardSubscriptionOnTopicsInTurn_AllocatesNothingPerEvent(bool inline)
    {
        // The correlator's shape: one `decky.*.mutation` over many deckies, no two events in a row on one topic, and no
        // literal subscription whose pattern could serve as the topic's string.
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        const int topics = 64;
        var handled = 0;
        var seen = new HashSet<string>();
        var subscription = new HandlerSubscription("decky.*.mutation", 256, (delivery, _) =>
        {
            handled++;
            seen.Add(delivery.Topic);
            return ValueTask.CompletedTask;
        }, loop, null, null, inline);
        var bodies = new ReadOnlySequence<byte>[topics];
        for (var t = 0; t < topics; t++)
        {
            bodies[t] = EvtBody([1], 1.5, $"decky.d{t}.mutation");
        }

        var allocated = AllocatedOnTheHandlerPath([new ClientSubscription(1, "decky.*.mutation", subscription)], bodies);

        Assert.Equal(_warmUp + (_windows * _events), handled);
        Assert.Equal(Enumerable.Range(0, topics).Select(t => $"decky.d{t}.mutation").ToHashSet(), seen);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {_events} events on {topics} topics in turn");
        await subscription.DisposeAsync();
    }

    [Fact]
    public async Task AnInlineEventSplitAcrossReceiveSegments_IsHandledOnTheReceivingThread()
    {
        // A stopped loop runs nothing: only a call on this thread can handle the event.
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync();
        var handled = 0;
        var subscription = new HandlerSubscription("a.>", 256, (_, _) =>
        {
            handled++;
            return ValueTask.CompletedTask;
        }, loop, null, null, inline: true);
        var dispatcher = DispatcherRig.Over(new ClientSubscription(1, "a.>", subscription));

        dispatcher.Deliver(Segments.Split(EvtBody().ToArray(), 7));
        dispatcher.EndOfRead();

        Assert.Equal(1, handled);
        Assert.Equal(1, subscription.Received);
        await subscription.DisposeAsync();
    }

    [Fact]
    public void EnumerablePath_AllocatesAtMostTheEventAndItsShareOfASlab()
    {
        var subscription = new ChannelSubscription("a.>", 256, null, null);
        var client = new ClientSubscription(1, "a.>", subscription);
        var dispatcher = DispatcherRig.Over(client);
        var body = EvtBody();
        using var reader = new Drain(subscription);
        dispatcher.Deliver(body);
        dispatcher.EndOfRead();
        reader.TakeAll();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 64; i++)
        {
            dispatcher.Deliver(body);
        }

        dispatcher.EndOfRead();
        var read = reader.TakeAll();
        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)read;

        Assert.Equal(64, read);

        // A BusEvent is 80-odd bytes; its id and payload are carved from a shared 16 KiB slab (16 KiB / 64 events).
        Assert.True(perEvent < 100 + (EventSlab.SlabBytes / 64.0), $"{perEvent:0} bytes per event on the enumerable path");
    }

    /// <summary>
    /// The fewest bytes this thread allocated in one of <see cref="_windows"/> windows of <see cref="_events"/> events of
    /// <paramref name="bodies"/> in turn, 64 per read, decoded, queued and handed to their handlers for handler
    /// subscriptions with sids 1, 2, … (stopped loops, so the test's thread takes each event and calls its handler);
    /// after <see cref="_warmUp"/> events in which the rings grow to their working size and each slot gets its buffer.
    /// </summary>
    private static long AllocatedOnTheHandlerPath(ClientSubscription[] clients, ReadOnlySequence<byte>[] bodies)
    {
        var dispatcher = DispatcherRig.Over(clients);
        byte[]? spare = null;

        void RunReads(int count)
        {
            for (var read = 0; read < count / 64; read++)
            {
                for (var i = 0; i < 64; i++)
                {
                    dispatcher.Deliver(bodies[i % bodies.Length]);
                }

                dispatcher.EndOfRead();
                foreach (var client in clients)
                {
                    var queue = (HandlerSubscription)client.Queue;
                    while (queue.TryTake(ref spare, out var delivery))
                    {
                        _ = queue.Handler(delivery, queue.Disposing);
                    }
                }
            }
        }

        RunReads(_warmUp);

        return LeastAllocated.Of(() => RunReads(_events), _windows);
    }

    /// <summary>The body of an EVT for subscription <paramref name="sid"/>, as the client's receive loop gets it.</summary>
    internal static ReadOnlySequence<byte> EvtBody(uint sid = 1) => EvtBody([sid], 1.5);

    /// <summary>
    /// An EVT body for <paramref name="sids"/> on <paramref name="topic"/>, published at <paramref name="timestamp"/> (a
    /// test's sequence number, say).
    /// </summary>
    internal static ReadOnlySequence<byte> EvtBody(uint[] sids, double timestamp, string topic = "a.b", int pad = 0)
    {
        var evt = new ReadOnlySequence<byte>(EvtFrame(sids, timestamp, topic, pad));
        Assert.True(FrameReader.TryParse(ref evt, ProtocolConstants.MinMaxFrame * 16, out var parsedEvt));
        return new ReadOnlySequence<byte>(parsedEvt.Body.ToArray());
    }

    /// <summary>
    /// A whole EVT frame, as a broker writes it, for <paramref name="sids"/> on <paramref name="topic"/>; its payload
    /// carries a string of <paramref name="pad"/> characters when that is not 0.
    /// </summary>
    internal static byte[] EvtFrame(uint[] sids, double timestamp, string topic = "a.b", int pad = 0)
    {
        using var pub = new PooledBufferWriter(512);
        if (pad > 0)
        {
            FrameWriter.WritePub(pub, topic, "t", EventId.NewId(), timestamp, new Dictionary<string, string> { ["pad"] = new('p', pad) });
        }
        else
        {
            FrameWriter.WritePub(pub, topic, "t", EventId.NewId(), timestamp, new Dictionary<string, int> { ["n"] = 1 });
        }

        var sequence = new ReadOnlySequence<byte>(pub.WrittenSpan.ToArray());
        Assert.True(FrameReader.TryParse(ref sequence, ProtocolConstants.MinMaxFrame * 16, out var parsed));
        using var suffix = new PooledBufferWriter(512);
        FrameWriter.WriteEvtSuffix(suffix, parsed.Topic, new PeerCredentials(1, 2, 3), parsed.Tail);
        using var frame = new PooledBufferWriter(512);
        FrameWriter.WriteEvtPrefix(frame, sids, suffix.WrittenCount);
        frame.Write(suffix.WrittenSpan);
        return frame.WrittenSpan.ToArray();
    }

    /// <summary>Reads an enumerable subscription synchronously (every MoveNext completes at once while events are queued).</summary>
    private sealed class Drain(ChannelSubscription subscription) : IDisposable
    {
        private readonly IAsyncEnumerator<BusEvent> _reader = subscription.GetAsyncEnumerator();
        private long _taken;

        public int TakeAll()
        {
            var count = 0;
            while (subscription.Received - subscription.Dropped > _taken)
            {
                var next = _reader.MoveNextAsync();
                Assert.True(next.IsCompletedSuccessfully && next.Result);
                _taken++;
                count++;
            }

            return count;
        }

        public void Dispose() => _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
