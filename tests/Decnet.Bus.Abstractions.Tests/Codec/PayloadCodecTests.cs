using Decnet.Bus.Codec;
using MessagePack;

namespace Decnet.Bus.Abstractions.Tests.Codec;

public sealed class PayloadCodecTests
{
    [Fact]
    public void TypedObject_RoundTripsTypedAndAsDictionary()
    {
        var bytes = BusCodec.SerializePayload(new MutationPayload { MutationId = 42, Op = "add" });

        var typed = BusCodec.DeserializePayload<MutationPayload>(bytes);
        Assert.Equal(42, typed.MutationId);
        Assert.Equal("add", typed.Op);

        var map = BusCodec.DeserializePayloadAsDictionary(bytes);
        Assert.Equal("add", map["op"]);
        Assert.True(map.ContainsKey("mutation_id"));
    }

    [Fact]
    public void ReadPayloadAsDictionary_DuplicateKey_ThrowsMessagePackSerializationException_AsDocumented()
    {
        // The envelope decoder accepts it (the broker never decodes payloads); reading it is where it fails.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("action");
        writer.Write("stop");
        writer.Write("action");
        writer.Write("start");
        writer.Flush();
        var evt = new BusEvent("a.b", buffer.WrittenMemory.ToArray(), type: null, id: null, timestamp: 1);

        Assert.Throws<MessagePackSerializationException>(() => evt.ReadPayloadAsDictionary());
    }

    [Fact]
    public void Dictionary_RoundTrips()
    {
        var bytes = BusCodec.SerializePayload(new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x", ["c"] = null });
        var map = BusCodec.DeserializePayloadAsDictionary(bytes);
        Assert.Equal("x", map["b"]);
        Assert.Null(map["c"]);
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void AnonymousType_UsesPropertyNamesAsKeys()
    {
        var map = BusCodec.DeserializePayloadAsDictionary(BusCodec.SerializePayload(new { worker = "mutator", pid = 12 }));
        Assert.Equal("mutator", map["worker"]);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void Null_PublishesEmptyMap()
        => Assert.Equal(new byte[] { 0x80 }, BusCodec.SerializePayload<object?>(null));

    [Theory]
    [InlineData(5)]
    [InlineData("text")]
    [InlineData(true)]
    public void NonMap_IsRejectedWithArgumentException(object payload)
    {
        var ex = Assert.Throws<ArgumentException>(() => BusCodec.SerializePayload(payload));
        Assert.Contains("not a map", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Array_IsRejected()
        => Assert.Throws<ArgumentException>(() => BusCodec.SerializePayload(new[] { 1, 2 }));

    [Fact]
    public void IntegerKeyedMap_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => BusCodec.SerializePayload(new Dictionary<int, string> { [1] = "a" }));
        Assert.Contains("keys must be strings", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribePayloadError_ReportsTrailingBytes()
        => Assert.Contains("trailing", BusCodec.DescribePayloadError(new byte[] { 0x80, 0x80 }), StringComparison.Ordinal);

    [Fact]
    public void Decode_IsBoundedInDepth()
    {
        // A hostile peer nests maps deeper than the untrusted-data profile allows.
        var bytes = new List<byte>();
        for (var i = 0; i < BusCodec.MaxPayloadDepth + 5; i++)
        {
            bytes.AddRange([0x81, 0xa1, (byte)'k']);
        }

        bytes.Add(0xc0);
        Assert.Throws<MessagePackSerializationException>(() => BusCodec.DeserializePayloadAsDictionary(bytes.ToArray()));
    }

    [MessagePackObject]
    public sealed class MutationPayload
    {
        [Key("mutation_id")]
        public int MutationId { get; set; }

        [Key("op")]
        public string Op { get; set; } = string.Empty;
    }
}
