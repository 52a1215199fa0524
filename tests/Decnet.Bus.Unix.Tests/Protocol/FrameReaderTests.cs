using System.Buffers;
using System.Text;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using FsCheck.Xunit;

namespace Decnet.Bus.Unix.Tests.Protocol;

public sealed class FrameReaderTests
{
    internal const int MaxFrame = 1024 * 1024;

    internal static readonly byte[] Payload = Decnet.Bus.Codec.BusCodec.SerializePayload(new Dictionary<string, object> { ["decky"] = "decky-01", ["n"] = 3 });

    [Fact]
    public void TryParse_Pub_ReadsTopicAndKeepsTailAsSlice()
    {
        var bytes = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "decky.d1.mutation", "applied", new string('a', 32), 1.5, Payload));
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var frame));

        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameKind.Pub, frame.Kind);
        Assert.Equal("decky.d1.mutation", Encoding.UTF8.GetString(frame.Topic));
        FrameDecoder.ValidatePublishTail(frame.Tail);
        Assert.True(frame.Tail.ToArray().AsSpan().EndsWith(Payload));
    }

    [Theory]
    [InlineData(false, "decky.d1.mutation")]
    [InlineData(true, "decky.d1.mutation")]
    [InlineData(false, "t")]
    [InlineData(true, "t")]
    public void TryParse_Pub_CanonicalAndOtherEncodingsReadAlike(bool longTopic, string topic)
    {
        // The canonical PUB takes the byte-level fast path; the same PUB with its kind as uint8 (0xcc 0x03) and its
        // topic as str16 takes the general reader. Both must yield the same topic and tail.
        topic = longTopic ? topic + "." + new string('x', 300) : topic;
        var canonical = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, "applied", "id-1", 1.5, Payload));
        var canonicalBuffer = new ReadOnlySequence<byte>(canonical);
        Assert.True(FrameReader.TryParse(ref canonicalBuffer, MaxFrame, out var fast));

        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(body);
        writer.WriteArrayHeader(6);
        writer.WriteUInt8((byte)FrameKind.Pub);
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        byte[] str16 = [0xda, (byte)(topicBytes.Length >> 8), (byte)topicBytes.Length];
        writer.WriteRaw(str16);
        writer.WriteRaw(topicBytes);
        writer.Write("applied");
        writer.Write("id-1");
        writer.Write(1.5);
        writer.WriteRaw(Payload);
        writer.Flush();
        byte[] other = [0, 0, (byte)(body.WrittenCount >> 8), (byte)body.WrittenCount, .. body.WrittenSpan];
        var otherBuffer = new ReadOnlySequence<byte>(other);
        Assert.True(FrameReader.TryParse(ref otherBuffer, MaxFrame, out var general));

        Assert.Equal(FrameKind.Pub, fast.Kind);
        Assert.Equal(FrameKind.Pub, general.Kind);
        Assert.Equal(topic, Encoding.UTF8.GetString(fast.Topic));
        Assert.Equal(topic, Encoding.UTF8.GetString(general.Topic));
        Assert.Equal(general.Tail.ToArray(), fast.Tail.ToArray());
    }

    [Fact]
    public void TryParse_EveryPrefixOfAFrame_NeedsMoreBytes()
    {
        var bytes = FrameBytes.Of(b => FrameWriter.WriteSub(b, 7, "decky.>"));
        for (var n = 0; n < bytes.Length; n++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, n);
            Assert.False(FrameReader.TryParse(ref partial, MaxFrame, out _));
            Assert.Equal(n, partial.Length);
        }
    }

    [Fact]
    public void TryParse_SeveralFramesAcrossSegments_ParsesEachInOrder()
    {
        var bytes = FrameBytes.Of(b =>
        {
            FrameWriter.WriteSub(b, 1, "a.*");
            FrameWriter.WriteSubAck(b, 1);
            FrameWriter.WriteUnsub(b, 300);
            FrameWriter.WriteSimple(b, FrameKind.Ping);
        });
        var buffer = Segments.Split(bytes, 3);

        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var sub));
        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var ack));
        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var unsub));
        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var ping));
        Assert.False(FrameReader.TryParse(ref buffer, MaxFrame, out _));

        Assert.Equal((FrameKind.Sub, 1u, "a.*"), (sub.Kind, sub.Sid, Encoding.UTF8.GetString(sub.Topic)));
        Assert.Equal((FrameKind.SubAck, 1u), (ack.Kind, ack.Sid));
        Assert.Equal((FrameKind.Unsub, 300u), (unsub.Kind, unsub.Sid));
        Assert.Equal(FrameKind.Ping, ping.Kind);
    }

    [Fact]
    public void TryParse_OversizedLengthPrefix_FailsFromTheHeaderAlone()
    {
        var header = new ReadOnlySequence<byte>(new byte[] { 0x7f, 0xff, 0xff, 0xff });

        var ex = Assert.Throws<ProtocolException>(() => FrameReader.TryParse(ref header, MaxFrame, out _));

        Assert.Equal(BusErrorCode.FrameTooLarge, ex.Code);
    }

    [Theory]
    [InlineData("00000000")] // empty frame
    [InlineData("0000000101")] // a positive fixint, not an array
    [InlineData("000000029163")] // unknown kind 99
    [InlineData("0000000191")] // array of one element, but the element is missing
    [InlineData("00000003920401")] // SUB with 2 elements
    [InlineData("000000049203a161")] // PUB with 2 elements
    [InlineData("00000002a161")] // a string
    public void TryParse_Garbage_IsABadFrame(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(hex));

        var ex = Assert.Throws<ProtocolException>(() => FrameReader.TryParse(ref buffer, MaxFrame, out _));

        Assert.Equal(BusErrorCode.BadFrame, ex.Code);
    }

    [Property(MaxTest = 500)]
    public bool TryParse_AnyBytes_ParsesNeedsMoreOrRejectsWithAProtocolError(byte[] body)
    {
        body ??= [];
        var bytes = new byte[body.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)body.Length);
        body.CopyTo(bytes, 4);
        var buffer = new ReadOnlySequence<byte>(bytes);
        try
        {
            return FrameReader.TryParse(ref buffer, MaxFrame, out _) && buffer.IsEmpty;
        }
        catch (ProtocolException)
        {
            return true;
        }
    }

    [Fact]
    public void Hello_RoundTrips()
    {
        var hello = new HelloMessage(1, "mutator-42", false, 2048, 65536);
        var frame = ParseOne(FrameBytes.Of(b => FrameWriter.WriteHello(b, hello)));

        Assert.Equal(FrameKind.Hello, frame.Kind);
        Assert.Equal(hello, FrameDecoder.ReadHello(frame.Body));
    }

    [Fact]
    public void Welcome_RoundTrips()
    {
        var welcome = new WelcomeMessage(1, 4242, 1 << 20, 256, 1024, 1024);
        var frame = ParseOne(FrameBytes.Of(b => FrameWriter.WriteWelcome(b, welcome)));

        Assert.Equal(welcome, FrameDecoder.ReadWelcome(frame.Body));
    }

    [Fact]
    public void Err_RoundTrips()
    {
        var frame = ParseOne(FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.InvalidTopic, "bad topic")));

        Assert.Equal(new ErrorMessage(BusErrorCode.InvalidTopic, "bad topic"), FrameDecoder.ReadErr(frame.Body));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(11)]
    [InlineData(12)]
    public void SimpleFrames_RoundTrip(int kind)
        => Assert.Equal((FrameKind)kind, ParseOne(FrameBytes.Of(b => FrameWriter.WriteSimple(b, (FrameKind)kind))).Kind);

    [Fact]
    public void StatsReply_RoundTrips()
    {
        var stats = new BrokerStats(10, 2.5, 100, 90, 10, [new BrokerConnectionStats("cli", 11, 1000, 1000, 2, 3, 4, 5, 6)]);
        var frame = ParseOne(FrameBytes.Of(b => FrameWriter.WriteStatsReply(b, stats)));

        var decoded = FrameDecoder.ReadStatsReply(frame.Body);

        Assert.Equal(stats with { Connections = [] }, decoded with { Connections = [] });
        Assert.Equal(stats.Connections, decoded.Connections);
    }

    [Fact]
    public void Evt_BuiltFromAPubTail_DecodesToTheSameEvent()
    {
        var id = RawFrames.EventId;
        var pub = ParseOne(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "topology.t1.status", "status", id, 1234.5, Payload)));
        using var suffix = new PooledBufferWriter();
        FrameWriter.WriteEvtSuffix(suffix, pub.Topic, new PeerCredentials(1, 2, 3), pub.Tail);
        using var evt = new PooledBufferWriter();
        FrameWriter.WriteEvtPrefix(evt, [5, 200, 70000], suffix.WrittenCount);
        suffix.WrittenMemory.Span.CopyTo(evt.GetSpan(suffix.WrittenCount));
        evt.Advance(suffix.WrittenCount);

        var frame = ParseOne(evt.WrittenSpan.ToArray());
        var sids = new List<uint>();
        var decoded = FrameDecoder.ReadEvent(frame.Body, sids);

        Assert.Equal([5u, 200u, 70000u], sids);
        Assert.Equal("topology.t1.status", decoded.Topic);
        Assert.Equal("status", decoded.Type);
        Assert.Equal(id, decoded.Id);
        Assert.Equal(1234.5, decoded.Timestamp);
        Assert.Equal(new PeerCredentials(1, 2, 3), decoded.Publisher);
        Assert.Equal(Payload, decoded.Payload.ToArray());
    }

    [Theory]
    [InlineData("a1c0")] // nil where the type string belongs... (type is 1-char string, id nil)
    [InlineData("a0a0cb3ff000000000000001")] // payload is an integer
    [InlineData("a0a001 80")] // ts is an integer
    [InlineData("a0a0cb3ff0000000000000008001")] // trailing byte
    public void ValidatePublishTail_RejectsMalformedTails(string hex)
    {
        var tail = new ReadOnlySequence<byte>(FrameBytes.FromHex(hex));

        var ex = Assert.Throws<ProtocolException>(() => FrameDecoder.ValidatePublishTail(tail));

        Assert.Equal(BusErrorCode.BadFrame, ex.Code);
    }

    private static Frame ParseOne(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameReader.TryParse(ref buffer, MaxFrame, out var frame));
        Assert.True(buffer.IsEmpty);
        return frame;
    }
}
