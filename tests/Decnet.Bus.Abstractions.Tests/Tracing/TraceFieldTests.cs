using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
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
