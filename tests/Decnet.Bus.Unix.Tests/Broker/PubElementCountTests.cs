using System.Buffers.Binary;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A PUB's array holds 6 elements, or 7 when it ends with a trace (docs/wire-protocol.md §3): a count that disagrees
/// with what the frame carries is malformed (ERR 1), on the broker's fast path for the canonical encoding and on the
/// general reader alike. Accepted, a 6-element PUB carrying a trace went out as a 9-element EVT.
/// </summary>
public sealed class PubElementCountTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task APubWhoseCountDisagreesWithItsTrace_IsErr1_AndNothingIsDelivered(bool traced, bool array16)
    {
        await using var subscriber = await RawClient.ConnectAsync(_broker.SocketPath);
        await subscriber.SendAsync(b => FrameWriter.WriteSub(b, 1, "count.>"));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);
        await using var publisher = await RawClient.ConnectAsync(_broker.SocketPath);
        var declared = traced ? 6 : 7;

        await publisher.SendAsync(Pub(traced, declared, array16));

        var message = await publisher.ExpectErrorAndCloseAsync(BusErrorCode.BadFrame);
        Assert.Equal($"PUB declares {declared} elements but carries {13 - declared}", message);
        await subscriber.PingAsync(); // the PONG is the next frame: no EVT came first
    }

    [Fact]
    public async Task APubWhoseCountAgreesWithItsTrace_IsRouted_OnBothReaders()
    {
        await using var subscriber = await RawClient.ConnectAsync(_broker.SocketPath);
        await subscriber.SendAsync(b => FrameWriter.WriteSub(b, 1, "count.>"));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);
        await using var publisher = await RawClient.ConnectAsync(_broker.SocketPath);

        foreach (var (traced, array16) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            await publisher.SendAsync(Pub(traced, traced ? 7 : 6, array16));
            Assert.Equal(FrameKind.Evt, (await subscriber.ReadFrameAsync()).Kind);
        }
    }

    /// <summary>A PUB with or without a trace whose array header says <paramref name="count"/>, as a fixarray or an array 16 (the general reader's path).</summary>
    private static byte[] Pub(bool traced, int count, bool array16)
    {
        var trace = traced ? new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null) : default;
        var frame = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "count.t", "", RawFrames.EventId, 1.5, FrameReaderTests.Payload, trace));
        var rest = frame.AsSpan(ProtocolConstants.HeaderSize + 1);
        byte[] header = array16 ? [0xdc, 0x00, (byte)count] : [(byte)(0x90 | count)];
        var body = (byte[])[.. header, .. rest];
        var result = new byte[ProtocolConstants.HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)body.Length);
        body.CopyTo(result, ProtocolConstants.HeaderSize);
        return result;
    }
}
