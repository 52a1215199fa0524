using System.Buffers;
using Decnet.Bus.Codec;
using MessagePack;

namespace Decnet.Bus.Abstractions.Tests.Codec;

public sealed class EnvelopeCodecTests
{
    public const string Id = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Serialize_WritesTheMapFormWithRawPayloadMap()
    {
        var payload = BusCodec.SerializePayload(new Dictionary<string, object> { ["decky"] = "decky-01" });
        var evt = new BusEvent("decky.decky-01.mutation", payload, "mutation", Id, 1700000000.25);

        var bytes = BusCodec.SerializeEnvelope(evt);

        // A peer without our types (Python, the CLI) sees a plain nested map.
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(bytes, BusCodec.DecodeOptions);
        Assert.Equal(new[] { "v", "id", "topic", "type", "ts", "payload" }, map.Keys);
        Assert.Equal(1, Convert.ToInt32(map["v"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Id, map["id"]);
        Assert.Equal("decky.decky-01.mutation", map["topic"]);
        Assert.Equal("mutation", map["type"]);
        Assert.Equal(1700000000.25, Assert.IsType<double>(map["ts"]));
        var inner = Assert.IsType<Dictionary<object, object>>(map["payload"]);
        Assert.Equal("decky-01", inner["decky"]);
    }

    [Fact]
    public void Serialize_TimestampIsFloat64()
    {
        var bytes = BusCodec.SerializeEnvelope(new BusEvent("a.b", BusCodec.EmptyMap, null, Id, 1));
        var reader = new MessagePackReader(bytes);
        reader.ReadMapHeader();
        for (var i = 0; i < 4; i++)
        {
            reader.Skip();
            reader.Skip();
        }

        Assert.Equal("ts", reader.ReadString());
        Assert.Equal(0xcb, bytes[(int)reader.Consumed]);
    }

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        var payload = BusCodec.SerializePayload(new { mutation_id = 7, op = "add" });
        var evt = new BusEvent("topology.t1.mutation.applied", payload, "applied", Id, 1763800000.123456);

        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(evt));

        Assert.Equal(evt.Version, back.Version);
        Assert.Equal(evt.Id, back.Id);
        Assert.Equal(evt.Topic, back.Topic);
        Assert.Equal(evt.Type, back.Type);
        Assert.Equal(evt.Timestamp, back.Timestamp);
        Assert.Equal(evt.Payload.ToArray(), back.Payload.ToArray());
    }

    [Fact]
    public void Write_ToBufferWriter_MatchesSerialize()
    {
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, "t", Id, 2.5);
        var writer = new ArrayBufferWriter<byte>();
        BusCodec.WriteEnvelope(writer, evt);
        Assert.Equal(BusCodec.SerializeEnvelope(evt), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Serialize_EmptyPayloadBytes_WritesEmptyMap()
    {
        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(new BusEvent("a", ReadOnlyMemory<byte>.Empty, null, Id, 0)));
        Assert.Equal(new byte[] { 0x80 }, back.Payload.ToArray());
    }

    [Fact]
    public void Serialize_NonMapPayload_Throws()
    {
        var evt = new BusEvent("a", new byte[] { 0x01 }, null, Id, 0);
        Assert.Throws<ArgumentException>(() => BusCodec.SerializeEnvelope(evt));
    }

    [Fact]
    public void Deserialize_DecodedPayloadIsACopy()
    {
        var bytes = BusCodec.SerializeEnvelope(new BusEvent("a", BusCodec.SerializePayload(new { k = 1 }), null, Id, 0));
        var evt = BusCodec.DeserializeEnvelope(bytes);
        Array.Clear(bytes);
        Assert.Equal(1, Convert.ToInt32(evt.ReadPayloadAsDictionary()["k"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Deserialize_AcceptsNilOrMissingTypeAndIntegerTs_SkipsUnknownKeys()
    {
        var bytes = Envelope((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(6);
            w.Write("v"); w.Write(1);
            w.Write("id"); w.Write(Id);
            w.Write("topic"); w.Write("a.b");
            w.Write("ts"); w.Write(1700000000);
            w.Write("future"); w.WriteArrayHeader(1); w.Write(true);
            w.Write("payload"); w.WriteMapHeader(0);
        });

        Assert.True(BusCodec.TryDeserializeEnvelope(bytes, out var evt, out var error), error);
        Assert.Equal(string.Empty, evt.Type);
        Assert.Equal(1700000000d, evt.Timestamp);
    }

    [Theory]
    [InlineData(1e300, 1)]
    [InlineData(1.7e12, 1)] // milliseconds by mistake: year ~55,800
    [InlineData(-1e300, -1)]
    [InlineData(-62_135_596_801.0, -1)] // a second before year 1
    public void PublishedAt_OfAnAcceptedTsOutsideYears1To9999_IsClampedNotThrown(double ts, int side)
    {
        var evt = BusCodec.DeserializeEnvelope(Valid(ts: (ref MessagePackWriter w) => w.Write(ts)));

        Assert.Equal(side > 0 ? DateTimeOffset.MaxValue : DateTimeOffset.MinValue, evt.PublishedAt);
    }

    [Fact]
    public void PublishedAt_OfAnOrdinaryTs_IsExact()
    {
        var evt = BusCodec.DeserializeEnvelope(Valid(ts: (ref MessagePackWriter w) => w.Write(1700000000.25)));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), evt.PublishedAt);
    }

    public static TheoryData<string, byte[]> InvalidEnvelopes() => new()
    {
        { "it is empty", [] },
        { "not a map", Envelope((ref MessagePackWriter w) => w.Write("x")) },
        { "\"v\" is a String", Valid(v: (ref MessagePackWriter w) => w.Write("1")) },
        { "envelope version 2 is not supported", Valid(v: (ref MessagePackWriter w) => w.Write(2)) },
        { "is not 32 lowercase hex", Valid(id: (ref MessagePackWriter w) => w.Write(Id.ToUpperInvariant())) },
        { "is not 32 lowercase hex", Valid(id: (ref MessagePackWriter w) => w.Write("abc")) },
        { "\"id\" is a Integer", Valid(id: (ref MessagePackWriter w) => w.Write(5)) },
        { "topic \"a.*\" is invalid", Valid(topic: (ref MessagePackWriter w) => w.Write("a.*")) },
        { "topic \"a..b\" is invalid", Valid(topic: (ref MessagePackWriter w) => w.Write("a..b")) },
        { "\"ts\" is a String", Valid(ts: (ref MessagePackWriter w) => w.Write("now")) },
        { "\"ts\" is not a finite number", Valid(ts: (ref MessagePackWriter w) => w.Write(double.NaN)) },
        { "\"payload\" is a Binary", Valid(payload: (ref MessagePackWriter w) => w.Write(new byte[] { 0x80 })) },
        { "\"payload\" is a Array", Valid(payload: (ref MessagePackWriter w) => w.WriteArrayHeader(0)) },
        { "payload key 1 is a Integer", Valid(payload: (ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write(1); w.Write(2); }) },
        { "nesting is deeper than", Valid(payload: Deep) },
        { "required key \"payload\" is missing", Envelope((ref MessagePackWriter w) => { w.WriteMapHeader(4); w.Write("v"); w.Write(1); w.Write("id"); w.Write(Id); w.Write("topic"); w.Write("a"); w.Write("ts"); w.Write(1.0); }) },
        { "key \"v\" appears twice", Envelope((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write("v"); w.Write(1); w.Write("v"); w.Write(1); }) },
        { "key 1 is a Integer", Envelope((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write(1); w.Write(1); }) },
        { "type \"a\\u000Ab\" contains a control character (U+000A)", Valid(type: (ref MessagePackWriter w) => w.Write("a\nb")) },
        { "type \"\\u001B[2Jx\" contains a control character (U+001B)", Valid(type: (ref MessagePackWriter w) => w.Write("\u001b[2Jx")) },
        { "contains a control character (U+009B)", Valid(type: (ref MessagePackWriter w) => w.Write("csi\u009b31m")) },
        { "trailing bytes", [.. Valid(), 0xc0] },
        { "not valid MessagePack", Valid()[..^3] },
    };

    [Theory]
    [MemberData(nameof(InvalidEnvelopes))]
    public void TryDeserialize_RejectsInvalidEnvelopes_WithReason(string expected, byte[] bytes)
    {
        Assert.False(BusCodec.TryDeserializeEnvelope(bytes, out var evt, out var error));
        Assert.Null(evt);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error), error);
        var thrown = Assert.Throws<FormatException>(() => BusCodec.DeserializeEnvelope(bytes));
        Assert.Contains(expected, thrown.Message, StringComparison.Ordinal);
    }

    private static void Deep(ref MessagePackWriter w)
    {
        for (var i = 0; i < BusCodec.MaxPayloadDepth + 2; i++)
        {
            w.WriteMapHeader(1);
            w.Write("k");
        }

        w.WriteNil();
    }

    private delegate void Field(ref MessagePackWriter writer);

    private static byte[] Valid(Field? v = null, Field? id = null, Field? topic = null, Field? ts = null, Field? payload = null, Field? type = null)
        => Envelope((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(6);
            w.Write("v");
            Write(ref w, v, (ref MessagePackWriter x) => x.Write(1));
            w.Write("id");
            Write(ref w, id, (ref MessagePackWriter x) => x.Write(Id));
            w.Write("topic");
            Write(ref w, topic, (ref MessagePackWriter x) => x.Write("a.b"));
            w.Write("type");
            Write(ref w, type, (ref MessagePackWriter x) => x.Write("t"));
            w.Write("ts");
            Write(ref w, ts, (ref MessagePackWriter x) => x.Write(1.5));
            w.Write("payload");
            Write(ref w, payload, (ref MessagePackWriter x) => x.WriteMapHeader(0));
        });

    private static void Write(ref MessagePackWriter writer, Field? custom, Field fallback) => (custom ?? fallback)(ref writer);

    private static byte[] Envelope(Field write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
