using System.Buffers;
using System.Buffers.Binary;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>
/// <see cref="FrameReader.TryReadCanonicalPub"/>, the broker's span lane for runs of PUBs: it reads what
/// <see cref="FrameReader.TryParse"/> reads, and declines everything else so the general reader handles or refuses it.
/// </summary>
public sealed class CanonicalPubSpanTests
{
    private const int _maxFrame = FrameReaderTests.MaxFrame;

    [Theory]
    [InlineData("t", "", false)]
    [InlineData("decky.d1.mutation", "applied", false)]
    [InlineData("decky.d1.mutation", "applied", true)]
    public void CanonicalPub_ReadsTheSameTopicAndTailAsTryParse(string topic, string type, bool traced)
    {
        byte[] bytes = [.. Pub(topic, type, traced), .. Pub("next", "")];

        Assert.True(FrameReader.TryReadCanonicalPub(bytes, _maxFrame, out var length, out var spanTopic, out var spanTail));
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameReader.TryParse(ref sequence, _maxFrame, out var frame));

        Assert.Equal(bytes.Length - sequence.Length, length);
        Assert.Equal(frame.Topic.ToArray(), spanTopic.ToArray());
        Assert.Equal(frame.Tail.ToArray(), spanTail.ToArray());
    }

    [Fact]
    public void PartialFrame_AtEveryCut_IsDeclined()
    {
        var bytes = Pub("decky.d1.mutation", "applied");
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.False(FrameReader.TryReadCanonicalPub(bytes.AsSpan(0, cut), _maxFrame, out _, out _, out _), $"cut at {cut}");
        }
    }

    [Fact]
    public void OversizedOrEmptyFrame_IsDeclined_AndTryParseRefusesIt()
    {
        var oversized = Pub("big", "");
        var empty = new byte[8];
        Assert.False(FrameReader.TryReadCanonicalPub(oversized, oversized.Length - 5, out _, out _, out _));
        Assert.False(FrameReader.TryReadCanonicalPub(empty, _maxFrame, out _, out _, out _));

        var big = new ReadOnlySequence<byte>(oversized);
        var none = new ReadOnlySequence<byte>(empty);
        Assert.Equal(BusErrorCode.FrameTooLarge, Assert.Throws<ProtocolException>(() => FrameReader.TryParse(ref big, oversized.Length - 5, out _)).Code);
        Assert.Equal(BusErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => FrameReader.TryParse(ref none, _maxFrame, out _)).Code);
    }

    [Fact]
    public void OtherFramesAndEncodings_AreDeclined()
    {
        var sub = FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "a.>"));
        var ping = FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        var pub = Pub("a.b", "");
        var uint8Kind = (byte[])[.. BigEndianLength(pub.Length - 3), 0x96, 0xcc, 0x03, .. pub.AsSpan(6)];
        var nilTopic = (byte[])[.. BigEndianLength(pub.Length - 4 - 4 + 1), 0x96, 0x03, 0xc0, .. pub.AsSpan(10)];

        Assert.False(FrameReader.TryReadCanonicalPub(sub, _maxFrame, out _, out _, out _));
        Assert.False(FrameReader.TryReadCanonicalPub(ping, _maxFrame, out _, out _, out _));
        Assert.False(FrameReader.TryReadCanonicalPub(uint8Kind, _maxFrame, out _, out _, out _));
        Assert.False(FrameReader.TryReadCanonicalPub(nilTopic, _maxFrame, out _, out _, out _));
        Assert.False(FrameReader.TryReadCanonicalPub([], _maxFrame, out _, out _, out _));
    }

    private static byte[] Pub(string topic, string type, bool traced = false)
    {
        var trace = traced ? new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null) : default;
        return FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, type, new string('a', 32), 1.5, FrameReaderTests.Payload, trace));
    }

    private static byte[] BigEndianLength(int length)
    {
        var header = new byte[ProtocolConstants.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)length);
        return header;
    }
}
