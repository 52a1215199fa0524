using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>
/// The contiguous-buffer scanner must give the same verdict as the reader-based <see cref="BoundedSkip"/> it stands in
/// for on the hot path: same length for a good value, a rejection for a truncated or invalid one, the depth error for a
/// too-deep one.
/// </summary>
public sealed class MessagePackScanTests
{
    private const int _maxDepth = 8;

    [Fact]
    public void Measure_AgreesWithBoundedSkip_OnValidMutatedAndRandomInput()
    {
        var random = new Random(20261123);
        var kinds = new int[3];
        for (var i = 0; i < 30_000; i++)
        {
            var value = EncodeRandomValue(random, 0);
            byte[] input = (i % 3) switch
            {
                0 => value,
                1 => Mutate(random, value),
                _ => RandomBytes(random),
            };

            var expected = Reference(input);
            var actual = Scan(input);
            if (expected != actual)
            {
                Assert.Fail($"case {i} ({Convert.ToHexString(input)}): BoundedSkip says {expected}, MessagePackScan says {actual}");
            }

            kinds[expected switch { "depth" => 0, "reject" => 1, _ => 2 }]++;
        }

        // The generator must reach every verdict, or the comparison proves less than it claims.
        Assert.All(kinds, count => Assert.True(count > 100, $"verdict counts depth/reject/length: {string.Join('/', kinds)}"));
    }

    [Theory]
    [InlineData("c1")] // reserved byte
    [InlineData("dd ffffffff")] // array32 claiming 4 billion elements in 5 bytes
    [InlineData("df 00000001 a1")] // map32 with a key and no value
    [InlineData("db 00000005 6162")] // str32 claiming 5 bytes, holding 2
    [InlineData("c7 05 01 00")] // ext8 claiming 5 data bytes, holding 1
    public void Measure_TruncatedOrReserved_IsRejected(string hex)
    {
        Assert.Equal(-1, MessagePackScan.Measure(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)), _maxDepth));
    }

    private static string Scan(byte[] input)
    {
        try
        {
            var length = MessagePackScan.Measure(input, _maxDepth);
            return length < 0 ? "reject" : length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ProtocolException)
        {
            return "depth";
        }
    }

    private static string Reference(byte[] input)
    {
        try
        {
            var reader = new MessagePackReader(new ReadOnlySequence<byte>(input));
            BoundedSkip.Skip(ref reader, _maxDepth);
            return reader.Consumed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ProtocolException)
        {
            return "depth";
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            return "reject";
        }
    }

    private static byte[] EncodeRandomValue(Random random, int depth)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        WriteValue(ref writer, random, depth);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(ref MessagePackWriter writer, Random random, int depth)
    {
        // Deeper than the limit now and then, so the depth verdict is exercised too.
        var container = depth < _maxDepth + 2 && random.Next(3) == 0;
        if (container)
        {
            var count = random.Next(5) switch { 0 => 0, 1 => random.Next(16, 20), _ => random.Next(1, 4) };
            if (random.Next(2) == 0)
            {
                writer.WriteArrayHeader(count);
                for (var i = 0; i < count; i++)
                {
                    WriteValue(ref writer, random, depth + 1);
                }
            }
            else
            {
                writer.WriteMapHeader(count);
                for (var i = 0; i < count; i++)
                {
                    writer.Write($"k{i}");
                    WriteValue(ref writer, random, depth + 1);
                }
            }

            return;
        }

        switch (random.Next(10))
        {
            case 0: writer.WriteNil(); break;
            case 1: writer.Write(random.Next(2) == 0); break;
            case 2: writer.Write(random.Next(-40, 200)); break;
            case 3: writer.Write(random.NextInt64()); break;
            case 4: writer.Write(random.NextDouble()); break;
            case 5: writer.Write((float)random.NextDouble()); break;
            case 6: writer.Write(new string('s', random.Next(0, 300))); break;
            case 7: writer.Write(new byte[random.Next(50) == 0 ? 70_000 : random.Next(0, 300)]); break;
            case 8: writer.WriteExtensionFormat(new ExtensionResult((sbyte)random.Next(-5, 5), new byte[random.Next(0, 20)])); break;
            default: writer.Write((ulong)random.NextInt64()); break;
        }
    }

    private static byte[] Mutate(Random random, byte[] value)
    {
        var copy = (byte[])value.Clone();
        switch (random.Next(3))
        {
            case 0:
                return copy[..random.Next(copy.Length)];
            case 1:
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            default:
                return [.. copy, .. RandomBytes(random)];
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 40)];
        random.NextBytes(bytes);
        return bytes;
    }
}
