using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>The frames shown in docs/wire-protocol-examples.md (§8), built with the real encoder.</summary>
internal static class GoldenFrames
{
    public const string Id = "0123456789abcdef0123456789abcdef";
    public const double Timestamp = 1795000000.5;

    public static readonly byte[] Payload = [0x81, 0xa5, (byte)'d', (byte)'e', (byte)'c', (byte)'k', (byte)'y', 0xa2, (byte)'d', (byte)'1'];

    public static byte[] Hello() => FrameBytes.Of(b => FrameWriter.WriteHello(b, new HelloMessage(1, "cli-4242", true, 0, 0)));

    public static byte[] Welcome() => FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 4242, 1048576, 256, 1024, 1024)));

    public static byte[] Sub() => FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "decky.>"));

    public static byte[] SubAck() => FrameBytes.Of(b => FrameWriter.WriteSubAck(b, 1));

    public static byte[] Pub() => FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "decky.d1.mutation", "mutation", Id, Timestamp, Payload));

    public static byte[] Evt() => EvtOf(Pub());

    /// <summary>The EVT for sid 1 the broker builds from <paramref name="pubFrame"/>: its tail forwarded byte for byte.</summary>
    public static byte[] EvtOf(byte[] pubFrame)
    {
        var pub = new ReadOnlySequence<byte>(pubFrame);
        Assert.True(FrameReader.TryParse(ref pub, 1 << 20, out var frame));
        using var suffix = new PooledBufferWriter();
        FrameWriter.WriteEvtSuffix(suffix, frame.Topic, new PeerCredentials(4243, 1000, 1000), frame.Tail);
        return FrameBytes.Of(b =>
        {
            FrameWriter.WriteEvtPrefix(b, [1], suffix.WrittenCount);
            b.Write(suffix.WrittenSpan);
        });
    }

    public static byte[] Err() => FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.InvalidTopic, "invalid topic"));

    public static byte[] HelloReportLost() => FrameBytes.Of(b => FrameWriter.WriteHello(b, new HelloMessage(1, "cli-4242", true, 0, 0, ReportLost: true)));

    public static byte[] Lost() => FrameBytes.Of(b => FrameWriter.WriteLost(b, new Dictionary<uint, long> { [1] = 84, [2] = 3 }));

    public static byte[] Ping() => FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
}
