using System.Diagnostics;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using Decnet.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Decnet.Bus.Fake.Tests.Tracing;

/// <summary>Trace propagation through FakeBus as an OpenTelemetry user sees it (docs/dotnet-hosts.md, "Tracing").</summary>
public sealed class FakeBusTracingTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PublishInsideAnActivity_AndDelivery_AreOneTrace_InTheInMemoryExporter()
    {
        using var app = new ActivitySource("Decnet.Bus.Fake.Tests.mutator");
        var exported = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(app.Name, BusTracing.ActivitySourceName)
            .AddInMemoryExporter(exported)
            .Build())
        {
            await using var bus = new FakeBus();
            await using var subscription = await bus.SubscribeAsync("decky.*.mutation");
            ActivityTraceId traceId;
            using (var mutate = app.StartActivity("mutate decky-01"))
            {
                Assert.NotNull(mutate);
                traceId = mutate.TraceId;
                await bus.PublishAsync("decky.decky-01.mutation", new { decky = "decky-01" }, "mutation");
            }

            await using var events = subscription.GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
            var evt = events.Current;
            Assert.True(evt.TryGetTraceContext(out var context));
            using (app.StartActivity("correlate", ActivityKind.Consumer, context))
            {
            }

            provider.ForceFlush();
        }

        var trace = exported.Where(a => a.TraceId == exported.Single(a => a.DisplayName == "mutate decky-01").TraceId).ToList();
        var mutateSpan = trace.Single(a => a.DisplayName == "mutate decky-01");
        var send = trace.Single(a => a.DisplayName == "send decky.decky-01.mutation");
        var receive = trace.Single(a => a.DisplayName == "receive decky.decky-01.mutation");
        var correlate = trace.Single(a => a.DisplayName == "correlate");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(mutateSpan.SpanId, send.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal(send.SpanId, correlate.ParentSpanId);
        Assert.Equal("decky.*.mutation", receive.GetTagItem("messaging.destination.subscription.name"));
        Assert.Equal(4, trace.Count);
    }

    [Fact]
    public async Task PublishWithoutAnAmbientActivity_CarriesNoTraceField_EvenWithAListener()
    {
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(BusTracing.ActivitySourceName)
            .AddInMemoryExporter(exported)
            .Build();
        await using var bus = new FakeBus();
        await using var subscription = await bus.SubscribeAsync("plain.>");
        Assert.Null(Activity.Current);

        await bus.PublishAsync("plain.untraced", new { n = 1 });

        var evt = bus.Published.Single();
        Assert.Null(evt.TraceParent);
        Assert.Null(evt.TraceState);
        Assert.False(evt.TryGetTraceContext(out _));
        var map = BusCodec.DeserializePayloadAsDictionary(BusCodec.SerializeEnvelope(evt));
        Assert.DoesNotContain("trace", map.Keys);
        provider.ForceFlush();
        Assert.DoesNotContain(exported, a => a.DisplayName.EndsWith("plain.untraced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishInsideAnActivity_WithoutListener_CarriesTheAmbientContext_AndTraceState()
    {
        // No TracerProvider: the ambient activity comes from a listener on another source only.
        using var app = new ActivitySource("Decnet.Bus.Fake.Tests.nolistener");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == app.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var bus = new FakeBus();

        using (var outer = app.StartActivity("outer"))
        {
            Assert.NotNull(outer);
            outer.TraceStateString = "vendor=abc";
            await bus.PublishAsync("ambient.topic", new { n = 1 });
            Assert.Equal(outer.Id, bus.Published.Single().TraceParent);
            Assert.Equal("vendor=abc", bus.Published.Single().TraceState);
        }
    }

    [Fact]
    public async Task PublishRefusedForFrameSize_RecordsNoSendActivity_AndOneThatFitsDoes()
    {
        var topic = $"oversize.{Guid.NewGuid():N}";
        using var activities = new StoppedBusActivities();
        await using var bus = new FakeBus(new FakeBusOptions { MaxFrameBytes = 4096 });

        using (var app = new Activity("app").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync(topic, new { b = new byte[8192] }));
            await bus.PublishAsync(topic, new { b = new byte[16] });
        }

        var send = Assert.Single(activities.Named($"send {topic}"));
        Assert.Equal(send.Id, bus.Published.Single().TraceParent);
    }

    [Fact]
    public async Task PublishInsideAnActivityWithAnInvalidTraceState_DeliversTheParentWithoutTheState()
    {
        // The rule every receiver applies to a tracestate from the wire (docs/wire-protocol.md §3), applied on send.
        await using var bus = new FakeBus();
        await using var subscription = await bus.SubscribeAsync("ts.x");
        string? parent;
        using (var activity = new Activity("app").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            activity.TraceStateString = "k=\u001b[31m" + new string('a', 5000);
            parent = activity.Id;
            await bus.PublishAsync("ts.x", new { n = 1 });
        }

        await using var events = subscription.GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
        Assert.True(events.Current.TraceState is null, $"delivered a tracestate of {events.Current.TraceState?.Length} characters");
        Assert.Equal(parent, events.Current.TraceParent);
    }
}
