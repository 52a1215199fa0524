using System.Buffers;
using System.Text;
using Decnet.Bus.Unix.Protocol;
using Decnet.Testing;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>
/// The span EVT decoder may only accept what the general reader accepts, and must decode it to the same event; for
/// the frames a broker writes it must accept (or the fast path would be dead code).
/// </summary>
public sealed class EvtSpanDecoderTests
{
    [Fact]
    public void TryRead_AgreesWithTheGeneralReader_OnBrokerFramesAndMutations()
    {
        var random = new Random(20261123);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var canonical = RandomEvtBody(random);
            var body = i % 2 == 0 ? canonical : Mutate(random, canonical);
            var fastSids = new List<uint>();
            var fast = Fast(body, fastSids);
            var generalSids = new List<uint>();
            var general = General(body, generalSids);

            // A too-deep payload is a ProtocolException on both paths; anything else broker-encoded must be accepted.
            if (ReferenceEquals(body, canonical) && fast is string)
            {
                Assert.Fail($"case {i}: the fast path declined a broker-encoded EVT ({Convert.ToHexString(body)}): {fast}");
            }

            switch (fast)
            {
                case BusEvent evt:
                    accepted++;
                    if (general is not BusEvent expected)
                    {
                        Assert.Fail($"case {i}: fast path accepted what the general reader rejects ({general}): {Convert.ToHexString(body)}");
                        return;
                    }

                    Assert.Equal(expected.Topic, evt.Topic);
                    Assert.Equal(expected.Type, evt.Type);
                    Assert.Equal(expected.Id, evt.Id);
                    Assert.Equal(expected.Timestamp, evt.Timestamp);
                    Assert.Equal(expected.Publisher, evt.Publisher);
                    Assert.Equal(expected.Payload.ToArray(), evt.Payload.ToArray());
                    Assert.Equal(generalSids, fastSids);
                    break;
                case ProtocolException:
                    Assert.IsType<ProtocolException>(general);
                    break;
                default:
                    // Declined: the general reader decides, so there is nothing to compare.
                    Assert.Empty(fastSids);
                    break;
            }
        }

        Assert.True(accepted > 10_000, $"the fast path accepted only {accepted} of 20,000");
    }

    [Theory]
    [MemberData(nameof(MalformedEventIds.All), MemberType = typeof(MalformedEventIds))]
    public void AnEvtWhoseIdIsNotAnEventId_IsRejectedByBothPaths(string id)
    {
        // As the NATS decoder does (BusCodec.Envelope): an id is 32 lowercase hex characters or the event is dropped.
        var body = EvtBody(id);

        Assert.Equal("declined", Fast(body, []));
        var general = General(body, []);
        Assert.True(general is ProtocolException, $"the general reader returned {general}");
        Assert.IsType<BusEvent>(General(EvtBody(new string('a', 32)), []));
        Assert.IsType<BusEvent>(Fast(EvtBody(new string('a', 32)), []));
    }

    [Fact]
    public void AnEvtWithAHugeHostileId_IsRejected_AndItsErrorIsShort()
    {
        var body = EvtBody("\u001b[2J" + new string('x', 200_000));

        Assert.True(Fast(body, []) is "declined", "the fast path accepted an id of 200,004 characters");
        var error = Assert.IsType<ProtocolException>(General(body, []));
        Assert.True(error.Message.Length < 200, $"error of {error.Message.Length} characters");
        Assert.DoesNotContain('\u001b', error.Message);
    }

    private static byte[] EvtBody(string id)
    {
        var tail = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(tail);
        writer.Write("t");
        writer.Write(id);
        writer.Write(1.5);
        writer.WriteMapHeader(0);
        writer.Flush();
        using var suffix = new PooledBufferWriter(1024);
        FrameWriter.WriteEvtSuffix(suffix, new ReadOnlySequence<byte>("a.b"u8.ToArray()), new PeerCredentials(1, 2, 3), new ReadOnlySequence<byte>(tail.WrittenMemory));
        using var frame = new PooledBufferWriter(1024);
        FrameWriter.WriteEvtPrefix(frame, [1u], suffix.WrittenCount);
        frame.Write(suffix.WrittenSpan);
        return frame.WrittenSpan[ProtocolConstants.HeaderSize..].ToArray();
    }

    private static object Fast(byte[] body, List<uint> sids)
    {
        try
        {
            return EvtSpanDecoder.TryRead(body, sids, new RecentStrings(), new RecentStrings(), out var evt) ? evt! : "declined";
        }
        catch (ProtocolException ex)
        {
            return ex;
        }
    }

    private static object General(byte[] body, List<uint> sids)
    {
        try
        {
            return FrameDecoder.ReadEventGeneral(new ReadOnlySequence<byte>(body), sids, null, null);
        }
        catch (ProtocolException ex)
        {
            return ex;
        }
    }

    private static byte[] RandomEvtBody(Random random)
    {
        var sids = new uint[random.Next(1, 20)];
        for (var i = 0; i < sids.Length; i++)
        {
            sids[i] = random.Next(4) switch { 0 => (uint)random.Next(128), 1 => (uint)random.Next(256, 70_000), _ => (uint)random.NextInt64(uint.MaxValue) };
        }

        var topic = Encoding.UTF8.GetBytes(random.Next(3) == 0 ? "décky." + new string('t', random.Next(0, 300)) : $"decky.d{random.Next(100)}.mutation");
        var publisher = new PeerCredentials(random.Next(-5, int.MaxValue), random.Next(3) == 0 ? random.Next(-1000, 0) : random.Next(), random.Next(70_000));

        var tail = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(tail);
        if (random.Next(5) == 0)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(random.Next(2) == 0 ? "applied" : new string('y', random.Next(0, 40)));
        }

        writer.Write(Guid.NewGuid().ToString("N"));
        if (random.Next(4) == 0)
        {
            writer.Write((float)random.NextDouble());
        }
        else
        {
            writer.Write(random.NextDouble() * 2e9);
        }

        writer.WriteMapHeader(random.Next(0, 4));
        writer.Flush();
        var map = tail.WrittenSpan[^1];
        var entries = map & 0x0f;
        for (var i = 0; i < entries; i++)
        {
            writer.Write($"k{i}");
            WriteNested(ref writer, random, random.Next(70));
        }

        writer.Flush();

        using var suffix = new PooledBufferWriter(1024);
        FrameWriter.WriteEvtSuffix(suffix, new ReadOnlySequence<byte>(topic), publisher, new ReadOnlySequence<byte>(tail.WrittenMemory));
        using var frame = new PooledBufferWriter(1024);
        FrameWriter.WriteEvtPrefix(frame, sids, suffix.WrittenCount);
        frame.Write(suffix.WrittenSpan);
        return frame.WrittenSpan[ProtocolConstants.HeaderSize..].ToArray();
    }

    private static void WriteNested(ref MessagePackWriter writer, Random random, int depth)
    {
        // Now and then deeper than the 64-level limit, so the depth verdict is compared too.
        for (var d = 0; d < depth; d++)
        {
            writer.WriteArrayHeader(1);
        }

        writer.Write(random.Next());
    }

    private static byte[] Mutate(Random random, byte[] body)
    {
        var copy = (byte[])body.Clone();
        if (random.Next(2) == 0)
        {
            return copy[..random.Next(copy.Length)];
        }

        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }
}
