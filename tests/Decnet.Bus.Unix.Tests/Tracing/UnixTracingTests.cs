using System.Diagnostics;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;
using MessagePack;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Decnet.Bus.Unix.Tests.Tracing;

/// <summary>
/// Trace context across processes' worth of Unix transport: PUB's optional seventh element, EVT's ninth
/// (docs/wire-protocol.md §3), and the activities an OpenTelemetry user sees (docs/dotnet-hosts.md, "Tracing").
/// </summary>
public sealed class UnixTracingTests
{
    private const string _validParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task PublishInsideAnActivity_AndDelivery_AreOneTrace_AcrossTheBroker()
    {
        using var app = new ActivitySource("Decnet.Bus.Unix.Tests.mutator");
        var exported = new List<Activity>();
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("mutator");
        var subscriber = broker.CreateClient("correlator");
        await using var subscription = await subscriber.SubscribeAsync("decky.>");
        ActivityTraceId traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(app.Name, BusTracing.ActivitySourceName)
            .AddInMemoryExporter(exported)
            .Build())
        {
            using (var mutate = app.StartActivity("mutate decky-01"))
            {
                Assert.NotNull(mutate);
                traceId = mutate.TraceId;
                mutate.TraceStateString = "decnet=1";
                await publisher.PublishAsync("decky.decky-01.mutation", new { decky = "decky-01" }, "mutation");
            }

            var evt = await Receive.NextAsync(subscription);
            Assert.Equal("decnet=1", evt.TraceState);
            Assert.True(evt.TryGetTraceContext(out var context));
            Assert.Equal(traceId, context.TraceId);
            provider.ForceFlush();
        }

        var trace = exported.Where(a => a.TraceId == traceId).ToList();
        var send = trace.Single(a => a.DisplayName == "send decky.decky-01.mutation");
        var receive = trace.Single(a => a.DisplayName == "receive decky.decky-01.mutation");
        Assert.Equal(trace.Single(a => a.DisplayName == "mutate decky-01").SpanId, send.ParentSpanId);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.Equal(3, trace.Count);
    }

    [Fact]
    public async Task PublishWithoutAnAmbientActivity_SendsAnEvtOfEightElements_AndNoTrace()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "plain.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        var publisher = broker.CreateClient("pub");
        Assert.Null(Activity.Current);

        await publisher.PublishAsync("plain.untraced", new { n = 1 });

        var (kind, body) = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.Evt, kind);
        Assert.Equal(0x98, body[0]);
        Assert.Null(FrameDecoder.ReadEvent(new(body), []).TraceParent);
    }

    [Fact]
    public async Task TracedPub_IsForwardedAsANineElementEvt_AndAnInvalidTraceparentIsDroppedNotTheEvent()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "t.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);

        // Forward writes the event's own trace fields into the PUB as they are, valid or not.
        var client = broker.CreateClient("forwarder");
        await client.ForwardAsync(new BusEvent("t.good", BusCodec.EmptyMap, "x", new string('a', 32), 1.5) { TraceParent = _validParent, TraceState = "k=v" });
        await client.ForwardAsync(new BusEvent("t.bad", BusCodec.EmptyMap, "x", new string('b', 32), 1.5) { TraceParent = "00-not-a-trace" });

        var good = await raw.ReadFrameAsync();
        Assert.Equal(0x99, good.Body[0]);
        var goodEvent = FrameDecoder.ReadEvent(new(good.Body), []);
        Assert.Equal((_validParent, "k=v"), (goodEvent.TraceParent, goodEvent.TraceState));
        var bad = FrameDecoder.ReadEvent(new((await raw.ReadFrameAsync()).Body), []);
        Assert.Equal("t.bad", bad.Topic);
        Assert.Null(bad.TraceParent);
    }

    [Fact]
    public async Task AHostileIdOrTraceparent_FromAnotherPublisher_NeverReachesTheConsumerOrAnActivityTag()
    {
        var tags = new List<string?>();
        var lastReceive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BusTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.DisplayName.StartsWith("receive hostile.", StringComparison.Ordinal))
                {
                    lock (tags)
                    {
                        tags.Add(a.GetTagItem("messaging.message.id") as string);
                    }

                    if (a.DisplayName == "receive hostile.c")
                    {
                        lastReceive.TrySetResult();
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("victim");
        await using var subscription = await subscriber.SubscribeAsync("hostile.>");
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        var hostileId = "\u001b[2J\u001b]0;pwned\u0007" + new string('x', 200_000);
        var hostileParent = "00\u001b0af7651916cd43dd8448eb211c80319c\nb7ad6b7169203331\r01";
        var goodId = new string('d', 32);

        // The broker checks only that the id is a string; the receiving client drops the first event as NATS does.
        await raw.SendAsync(b =>
        {
            FrameWriter.WritePubRaw(b, "hostile.a", "x", hostileId, 1.5, BusCodec.EmptyMap.Span, new TraceContext(_validParent, null));
            FrameWriter.WritePubRaw(b, "hostile.b", "x", goodId, 1.5, BusCodec.EmptyMap.Span, new TraceContext(hostileParent, null));
            FrameWriter.WritePubRaw(b, "hostile.c", "x", new string('e', 32), 1.5, BusCodec.EmptyMap.Span, new TraceContext(_validParent, null));
        });

        var events = await Receive.TakeAsync(subscription, 2);
        await lastReceive.Task.WaitAsync(TestBroker.Bound);
        var (first, second) = (events[0], events[1]);
        Assert.True(first.Id == goodId, $"first event delivered: id of {first.Id.Length} characters on {first.Topic}");
        Assert.True(first.TraceParent is null, $"traceparent {UntrustedText.Escape(first.TraceParent)} kept");
        Assert.Equal("hostile.c", second.Topic);
        lock (tags)
        {
            Assert.Equal([new string('e', 32)], tags);
        }
    }

    [Fact]
    public async Task TheTraceFlagIsPerPublish_OnOneTopicWhoseRouteIsCached()
    {
        // One read carries untraced, traced and untraced PUBs on one topic: the route is worked out for the first and
        // cached, so an EVT head cached for the topic must not decide the element count of the others.
        await using var broker = await TestBroker.StartAsync();
        await using var subscriber = await RawClient.ConnectAsync(broker.SocketPath);
        await subscriber.SendAsync(b => FrameWriter.WriteSub(b, 1, "same.>"));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);
        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);
        var traced = new TraceContext(_validParent, "k=v");

        await publisher.SendAsync(b =>
        {
            FrameWriter.WritePubRaw(b, "same.topic", "x", new string('a', 32), 1.5, BusCodec.EmptyMap.Span);
            FrameWriter.WritePubRaw(b, "same.topic", "x", new string('b', 32), 1.5, BusCodec.EmptyMap.Span, traced);
            FrameWriter.WritePubRaw(b, "same.topic", "x", new string('c', 32), 1.5, BusCodec.EmptyMap.Span);
        });

        foreach (var (header, parent) in new[] { (0x98, (string?)null), (0x99, _validParent), (0x98, null) })
        {
            var (kind, body) = await subscriber.ReadFrameAsync();
            Assert.Equal(FrameKind.Evt, kind);
            Assert.Equal(header, body[0]);
            Assert.Equal(parent, FrameDecoder.ReadEvent(new(body), []).TraceParent);
        }
    }

    [Fact]
    public async Task PubWithATrailingValueThatIsNotATraceMap_IsErr1()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        var frame = FrameBytes.Of(b =>
        {
            b.GetSpan(ProtocolConstants.HeaderSize);
            b.Advance(ProtocolConstants.HeaderSize);
            var w = new MessagePackWriter(b);
            w.WriteArrayHeader(7);
            w.Write((int)FrameKind.Pub);
            w.Write("t.x");
            w.Write("x");
            w.Write(new string('c', 32));
            w.Write(1.5);
            w.WriteMapHeader(0);
            w.Write(42);
            w.Flush();
        });
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - ProtocolConstants.HeaderSize));

        await raw.SendAsync(frame);

        Assert.Contains("PUB has trailing bytes", await raw.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishRefusedForFrameSize_RecordsNoSendActivity_AndOneThatFitsDoes()
    {
        var topic = $"oversize.{Guid.NewGuid():N}";
        using var activities = new StoppedBusActivities();
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("pub");
        await using var subscription = await publisher.SubscribeAsync(topic);

        using (var app = new Activity("app").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await publisher.PublishAsync(topic, new { b = new byte[2 * 1024 * 1024] }));
            await publisher.PublishAsync(topic, new { b = new byte[16] });
        }

        var evt = await Receive.NextAsync(subscription);
        var send = Assert.Single(activities.Named($"send {topic}"));
        Assert.Equal(send.Id, evt.TraceParent);
    }

    [Fact]
    public async Task PublishRefusedForFrameSize_InsideAHierarchicalActivity_RecordsNoSendActivity()
    {
        // A hierarchical ambient id crosses no wire (the frame is untraced), yet a listener still gets a send activity.
        var topic = $"oversize.{Guid.NewGuid():N}";
        using var activities = new StoppedBusActivities();
        await using var broker = await TestBroker.StartAsync();
        var publisher = broker.CreateClient("pub");

        using (var app = new Activity("app").SetIdFormat(ActivityIdFormat.Hierarchical).Start())
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await publisher.PublishAsync(topic, new { b = new byte[2 * 1024 * 1024] }));
        }

        Assert.Empty(activities.Named($"send {topic}"));
    }
}
