using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>
/// A PUB's <c>ts</c> must be a finite float (docs/wire-protocol.md §3): a text subscriber's envelope promises a JSON
/// float, and JSON has no NaN or Infinity.
/// </summary>
public sealed class PublishTailTimestampTests
{
    public static TheoryData<double, bool> NonFinite => new()
    {
        { double.NaN, false },
        { double.PositiveInfinity, false },
        { double.NegativeInfinity, false },
        { double.NaN, true },
        { double.PositiveInfinity, true },
        { double.NegativeInfinity, true },
    };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void ANonFiniteTs_IsAMalformedPub_InEitherFloatWidth(double ts, bool float32)
    {
        var tail = Tail(ts, float32);

        var error = Assert.Throws<ProtocolException>(() => PublishTailValidator.Validate(tail));
        Assert.Equal((BusErrorCode.BadFrame, "PUB ts is not a finite number"), (error.Code, error.Message));
        error = Assert.Throws<ProtocolException>(() => PublishTailValidator.Validate(Segments.Split(tail, 3)));
        Assert.Equal((BusErrorCode.BadFrame, "PUB ts is not a finite number"), (error.Code, error.Message));
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(-1e308, false)]
    [InlineData(double.MaxValue, false)]
    [InlineData(1795000000.5, true)]
    public void AFiniteTs_Passes(double ts, bool float32)
    {
        var tail = Tail(ts, float32);

        Assert.False(PublishTailValidator.Validate(tail));
        Assert.False(PublishTailValidator.Validate(Segments.Split(tail, 3)));
    }

    private static byte[] Tail(double ts, bool float32)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write("t");
        writer.Write("0123456789abcdef0123456789abcdef");
        if (float32)
        {
            writer.Write((float)ts);
        }
        else
        {
            writer.Write(ts);
        }

        writer.WriteMapHeader(0);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
