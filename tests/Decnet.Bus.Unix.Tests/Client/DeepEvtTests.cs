using System.Buffers;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An EVT whose payload nests deeper than the scan allows (only a hostile or broken broker sends one: ours refuses such
/// a PUB) is a malformed event like any other: dropped and reported once, on the receive loop's fast lane as on the
/// general path, never an exception that ends the connection.
/// </summary>
public sealed class DeepEvtTests
{
    [Fact]
    public void ADeepPayload_OnTheFastLane_IsReportedOnce_AndConsumed()
    {
        var malformed = new List<string>();
        var dispatcher = new EventDispatcher(_ => null, malformed.Add, waitsForCatchUp: false);

        var consumed = dispatcher.TryDeliver(DeepEvtBody());
        dispatcher.EndRun();

        Assert.True(consumed, "the fast lane left the frame to the general path, which would report it again");
        Assert.Contains("deeper", Assert.Single(malformed), StringComparison.Ordinal);
    }

    [Fact]
    public void ADeepPayload_HandedToDeliver_IsReportedOnce()
    {
        var malformed = new List<string>();
        var dispatcher = new EventDispatcher(_ => null, malformed.Add, waitsForCatchUp: false);

        dispatcher.Deliver(new ReadOnlySequence<byte>(DeepEvtBody()));

        Assert.Contains("deeper", Assert.Single(malformed), StringComparison.Ordinal);
    }

    /// <summary>An EVT body for <c>a.b</c> whose payload's one value is 70 nested arrays.</summary>
    private static byte[] DeepEvtBody()
    {
        var payload = new List<byte> { 0x81, 0xa1, (byte)'k' };
        payload.AddRange(Enumerable.Repeat((byte)0x91, 70));
        payload.Add(0x01);
        var frame = GoldenFrames.EvtOf(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", "t", GoldenFrames.Id, 1.5, [.. payload])));
        return frame.AsSpan(ProtocolConstants.HeaderSize).ToArray();
    }
}
