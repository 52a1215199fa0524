using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Protocol.Python;

public sealed class TextFrameReaderTests
{
    [Theory]
    [InlineData("HELLO worker-1", "Hello", "worker-1")]
    [InlineData("PUB decky.decky-01.mutation", "Pub", "decky.decky-01.mutation")]
    [InlineData("SUB decky.>", "Sub", "decky.>")]
    [InlineData("UNSUB decky.*", "Unsub", "decky.*")]
    [InlineData("BYE", "Bye", "")]
    [InlineData("BYE\r", "Bye", "")]
    [InlineData("SUB  a.b \t", "Sub", "a.b")]
    [InlineData("SUB a.b\r\r", "Sub", "a.b")]
    [InlineData("SUB \u001ca.b\u001f", "Sub", "a.b")]
    public void Header_IsSplitAndTrimmedAsThePythonBrokerDoes(string header, string verb, string args)
    {
        var buffer = new ReadOnlySequence<byte>(Frame(header, []));

        Assert.True(TextFrameReader.TryParse(ref buffer, out var frame));

        Assert.Equal(Enum.Parse<TextVerb>(verb), frame.Verb);
        Assert.Equal(args, frame.Args);
        Assert.True(frame.Body.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Body_IsSlicedAndTheNextFrameFollows()
    {
        var body = """{"payload": {"a": 1}, "type": "t"}"""u8.ToArray();
        var bytes = Frame("PUB a.b", body).Concat(Frame("BYE", [])).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(TextFrameReader.TryParse(ref buffer, out var pub));
        Assert.Equal(body, pub.Body.ToArray());
        Assert.True(TextFrameReader.TryParse(ref buffer, out var bye));
        Assert.Equal(TextVerb.Bye, bye.Verb);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void EveryPrefixOfAFrame_IsIncomplete_AndEverySegmentationParses()
    {
        var bytes = Frame("PUB decky.decky-01.mutation", """{"payload": {"decky": "decky-01"}}"""u8.ToArray());
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.False(TextFrameReader.TryParse(ref partial, out _), $"a prefix of {cut} bytes parsed");
        }

        for (var chunk = 1; chunk < bytes.Length; chunk++)
        {
            var buffer = Segments.Split(bytes, chunk);
            Assert.True(TextFrameReader.TryParse(ref buffer, out var frame), $"segments of {chunk} bytes did not parse");
            Assert.Equal("decky.decky-01.mutation", frame.Args);
            Assert.Equal("""{"payload": {"decky": "decky-01"}}"""u8.ToArray(), frame.Body.ToArray());
        }
    }

    [Theory]
    [InlineData("NOPE a.b")]
    [InlineData("pub a.b")]
    [InlineData("PUB\ta.b")]
    [InlineData("")]
    [InlineData("\r")]
    public void BadHeader_IsABadFrame(string header)
    {
        var buffer = new ReadOnlySequence<byte>(Frame(header, []));

        var error = Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _));

        Assert.Equal(BusErrorCode.BadFrame, error.Code);
    }

    [Theory]
    [InlineData("FOO x\n")]
    [InlineData("FOO x\nPUB a.b")]
    [InlineData("\n")]
    [InlineData("PUB\u00e9 a.b\n")]
    public void ABadHeader_IsABadFrameAsSoonAsItsLfArrives_WithoutWaitingForTheLength(string bytes)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(bytes));

        var error = Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _));

        Assert.Equal(BusErrorCode.BadFrame, error.Code);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("FOO")]
    [InlineData("FOO x")]
    [InlineData("PUBX")]
    [InlineData("HELLOO")]
    [InlineData("pub")]
    [InlineData("PUB\t")]
    [InlineData("BYE\rX")]
    [InlineData("BYE\r x")]
    [InlineData("\r")]
    [InlineData(" PUB")]
    [InlineData("PUB a.\u00e9")]
    [InlineData("S\u00c9")]
    [InlineData("E")]
    [InlineData("EVT")]
    [InlineData("EVT\r")]
    [InlineData("EVT a.b")]
    public void BytesThatCanBeginNoValidHeader_AreABadFrame_BeforeAnyLfArrives(string bytes)
    {
        // No verb has these bytes as a prefix (or, for the last two, they are not ASCII): whatever follows, the
        // header they begin is bad, so the connection is told so now rather than after a timeout or 4,096 bytes.
        var encoded = Encoding.Latin1.GetBytes(bytes);
        foreach (var buffer in new[] { new ReadOnlySequence<byte>(encoded), Segments.Split(encoded, 1) })
        {
            var input = buffer;
            var error = Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref input, out _));

            Assert.Equal(BusErrorCode.BadFrame, error.Code);
        }
    }

    [Theory]
    [InlineData("HELLO worker-1")]
    [InlineData("HELLO")]
    [InlineData("PUB decky.decky-01.mutation")]
    [InlineData("SUB decky.>")]
    [InlineData("UNSUB decky.*")]
    [InlineData("BYE")]
    [InlineData("BYE\r\r")]
    [InlineData("SUB  a.b \t")]
    [InlineData("SUB \u001ca.b\u001f\r")]
    public void EveryPrefixOfAValidHeader_IsIncomplete_WhetherItArrivedWholeOrAByteAtATime(string header)
    {
        var bytes = Frame(header, []);
        for (var cut = 1; cut <= header.Length; cut++)
        {
            var whole = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.False(TextFrameReader.TryParse(ref whole, out _), $"a prefix of {cut} bytes parsed");
            var trickled = Segments.Split(bytes[..cut], 1);
            Assert.False(TextFrameReader.TryParse(ref trickled, out _), $"a prefix of {cut} one-byte segments parsed");
        }

        var complete = Segments.Split(bytes, 1);
        Assert.True(TextFrameReader.TryParse(ref complete, out _));
    }

    [Theory]
    [InlineData("EVT a.b\n")]
    [InlineData("EVT\r\n")]
    [InlineData("EVT a.b\r")]
    public void TheBrokersEvt_IsRefusedAtItsHeader_WithoutWaitingForItsLength(string header)
    {
        // A client may not send EVT (docs/text-protocol.md §1): refused as an unknown verb is, not once a body came.
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(header));

        var error = Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _));

        Assert.Equal((BusErrorCode.BadFrame, "a client may not send EVT"), (error.Code, error.Message));
    }

    [Fact]
    public void AValidVerbFollowedBySpaces_IsStillIncomplete_ForTrimmedArgumentsMayFollow()
    {
        // "SUB" and 4,091 spaces: with "a" and the LF after them, a valid header of 4,096 bytes (arguments are
        // trimmed), so no bound below the header limit tells such bytes apart from a valid header's beginning.
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("SUB" + new string(' ', TextFrameReader.MaxHeaderBytes - 5)));

        Assert.False(TextFrameReader.TryParse(ref buffer, out _));
    }

    [Fact]
    public void NonAsciiHeader_IsABadFrame()
    {
        var bytes = Frame("PUB a.b", []);
        bytes[4] = 0xC3;
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(BusErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _)).Code);
    }

    [Fact]
    public void HeaderOf4096BytesWithItsLf_Parses_AndOneMoreByteIsRefusedBeforeTheLfArrives()
    {
        var atLimit = "SUB " + new string('a', TextFrameReader.MaxHeaderBytes - 5);
        var buffer = new ReadOnlySequence<byte>(Frame(atLimit, []));
        Assert.True(TextFrameReader.TryParse(ref buffer, out _));

        var over = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("SUB " + new string('a', TextFrameReader.MaxHeaderBytes - 4)));
        Assert.Equal(BusErrorCode.FrameTooLarge, Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref over, out _)).Code);
    }

    [Fact]
    public void BodyLengthOverOneMebibyte_IsRefusedFromTheLengthAlone()
    {
        var bytes = Encoding.ASCII.GetBytes("PUB a.b\n").Concat(new byte[4]).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(bytes.Length - 4), TextFrameReader.MaxBodyBytes + 1);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(BusErrorCode.FrameTooLarge, Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _)).Code);

        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(bytes.Length - 4), uint.MaxValue);
        buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(BusErrorCode.FrameTooLarge, Assert.Throws<ProtocolException>(() => TextFrameReader.TryParse(ref buffer, out _)).Code);
    }

    [Fact]
    public void RandomBytes_OnlyEverGiveAFrame_Incomplete_OrAProtocolException()
    {
        var random = new Random(20261202);
        var (parsed, rejected) = (0, 0);
        var seeds = new[] { Frame("PUB a.b", """{"payload":{}}"""u8.ToArray()), Frame("SUB >", []), Frame("BYE", []) };
        for (var i = 0; i < 100_000; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            // Every fourth input is also cut short, so "incomplete" is exercised as well as whole frames.
            var buffer = new ReadOnlySequence<byte>(bytes, 0, i % 4 == 0 ? random.Next(bytes.Length + 1) : bytes.Length);
            try
            {
                while (TextFrameReader.TryParse(ref buffer, out _))
                {
                    parsed++;
                }
            }
            catch (ProtocolException)
            {
                rejected++;
            }
        }

        // Any other exception fails the test above; both outcomes must have happened, or the inputs were blind.
        Assert.True(parsed > 1000, $"parsed {parsed}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
    }

    internal static byte[] Frame(string header, byte[] body)
    {
        var head = Encoding.Latin1.GetBytes(header + "\n");
        var frame = new byte[head.Length + 4 + body.Length];
        head.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(head.Length), (uint)body.Length);
        body.CopyTo(frame, head.Length + 4);
        return frame;
    }
}
