using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using Decnet.Testing;
using MessagePack;

namespace Decnet.Bus.Abstractions.Tests.Tracing;

/// <summary>The envelope's optional <c>trace</c> field (docs/wire-protocol.md) and the no-listener cost of the tracing hooks.</summary>
public sealed class TraceFieldTests
{
    private const string _parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Envelope_WithTrace_RoundTrips_AndWithoutTrace_HasNoTraceKey()
    {
        var traced = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5) { TraceParent = _parent, TraceState = "k=v" };
        var plain = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5);

        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(traced));

        Assert.Equal((_parent, "k=v"), (back.TraceParent, back.TraceState));
        Assert.Equal(["v", "id", "topic", "type", "ts", "payload"], Keys(BusCodec.SerializeEnvelope(plain)));
    }

    [Theory]
    [InlineData("garbage", "k=v", null, null)]
    [InlineData(_parent, "k=\u001b[31m", _parent, null)]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", null, null, null)]
    public void Envelope_WithAnInvalidTrace_IsDeliveredWithoutIt(string parent, string? state, string? expectedParent, string? expectedState)
    {
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5) { TraceParent = parent, TraceState = state };

        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(evt));

        Assert.Equal((expectedParent, expectedState), (back.TraceParent, back.TraceState));
    }

    [Theory]
    [InlineData("00\u001b0af7651916cd43dd8448eb211c80319c\nb7ad6b7169203331\r01")]
    [InlineData("00x0af7651916cd43dd8448eb211c80319cyb7ad6b7169203331z01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0G")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0")]
    [InlineData("0G-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331\u001b01")]
    public void Envelope_WithAHostileTraceparent_IsDeliveredWithoutIt(string parent)
    {
        // The separators are where ActivityContext.TryParse does not look: an ESC, LF or CR there reached TraceParent.
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5) { TraceParent = parent, TraceState = "k=v" };

        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(evt));

        Assert.True(back.TraceParent is null, $"kept {UntrustedText.Escape(back.TraceParent)}");
        Assert.Null(back.TraceState);
    }

    [Fact]
    public void OnPublish_InsideAnActivityWithAnInvalidTraceState_SendsTheParentWithoutTheState()
    {
        using var activity = new Activity("app").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "k=\u001b[31m" + new string('a', 5000);

        var trace = BusActivities.OnPublish("a.b");

        Assert.Equal(activity.Id, trace.Parent);
        Assert.True(trace.State is null, $"captured a tracestate of {trace.State?.Length} characters");
        activity.TraceStateString = "k=v";
        Assert.Equal("k=v", BusActivities.OnPublish("a.b").State);
    }

    [Theory]
    [MemberData(nameof(MalformedEventIds.All), MemberType = typeof(MalformedEventIds))]
    public void OnDelivered_AnEventWithAnInvalidId_HasNoMessageIdTag(string id)
    {
        var tags = new List<object?>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BusTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.DisplayName == "receive id.check")
                {
                    tags.Add(a.GetTagItem("messaging.message.id"));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var valid = new string('a', 32);

        BusActivities.OnDelivered(new BusEvent("id.check", BusCodec.EmptyMap, "t", id, 1.5) { TraceParent = _parent }, "id.>");
        BusActivities.OnDelivered(new BusEvent("id.check", BusCodec.EmptyMap, "t", valid, 1.5) { TraceParent = _parent }, "id.>");

        Assert.Equal([null, valid], tags);
    }

    [Fact]
    public void Envelope_WithATraceThatIsNotAMap_IsDeliveredWithoutIt()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(7);
        w.Write("v");
        w.Write(1);
        w.Write("id");
        w.Write(new string('a', 32));
        w.Write("topic");
        w.Write("a.b");
        w.Write("type");
        w.Write("t");
        w.Write("ts");
        w.Write(1.5);
        w.Write("payload");
        w.WriteMapHeader(0);
        w.Write("trace");
        w.WriteArrayHeader(1);
        w.Write(_parent);
        w.Flush();

        var evt = BusCodec.DeserializeEnvelope(buffer.WrittenMemory);

        Assert.Null(evt.TraceParent);
    }

    [Fact]
    public void Hooks_WithoutAmbientActivityOrListener_AllocateNothing()
    {
        Assert.Null(Activity.Current);
        Assert.False(BusActivities.Source.HasListeners());
        var traced = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5) { TraceParent = _parent };
        var plain = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 1.5);
        Exercise(traced, plain);

        var allocated = LeastAllocated.Of(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Exercise(traced, plain);
            }
        });

        Assert.Equal(0, allocated);

        static void Exercise(BusEvent traced, BusEvent plain)
        {
            Assert.True(BusActivities.OnPublish("a.b").IsEmpty);
            BusActivities.OnDelivered(traced, "a.>");
            BusActivities.OnDelivered(plain, "a.>");
        }
    }

    private static List<string> Keys(byte[] envelope)
        => [.. BusCodec.DeserializePayloadAsDictionary(envelope).Keys];
}
