using System.Buffers;
using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using MessagePack;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// Random well-formed MessagePack payload maps over every MessagePack type (nil, bool, int64/uint64 extremes, float32
/// and float64 including NaN and ±Infinity, str with invalid UTF-8 and control/bidi characters, bin, ext and
/// timestamps in and out of range, arrays, maps with non-string keys), nested up to the broker's depth limit. Driven by
/// a seeded <see cref="Random"/> so the fuzzer can make 100,000 quickly and a failure names its seed; shared by the
/// property test (through <see cref="PayloadMap"/>) and the fuzzer.
/// </summary>
internal static class MessagePackValues
{
    /// <summary>The broker forwards a non-empty container at depth 0 to 63 (the payload map is depth 0), so a scalar can sit at 64.</summary>
    public const int MaxDepth = 64;

    private static readonly string[] _hostile =
    [
        "", "a", "décor", "日本", "🦀", "\n", "\r\n", "\u001b[2K", "\u001b]0;title\u0007", "\u0085", "\u009b31m", "\u202e",
        "\u200b", "\u2028", "\ufeff", "\u0000", "\u007f", "\\", "\"", "decky.decky-01.mutation", "\U000E0001",
    ];

    private static readonly double[] _doubles =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon,
        -0.0, 0.1, 1e300, -1e-300,
    ];

    private static readonly float[] _floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, 0.1f];

    private static readonly long[] _longs = [long.MinValue, long.MaxValue, -1, 0, int.MinValue, uint.MaxValue];

    /// <summary>Payload maps from FsCheck-chosen seeds.</summary>
    public static Gen<byte[]> PayloadMap => ArbMap.Default.GeneratorFor<int>().Select(seed => Payload(new Random(seed)));

    /// <summary>One random payload map (string keys, up to about 40 values).</summary>
    public static byte[] Payload(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        var budget = random.Next(0, 40);
        var entries = random.Next(0, 8);
        writer.WriteMapHeader(entries);
        for (var i = 0; i < entries; i++)
        {
            WriteString(ref writer, random);
            WriteValue(ref writer, random, 1, ref budget);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A payload of <paramref name="containers"/> nested containers (a map, then arrays) around one scalar; 64 is the most the broker forwards.</summary>
    public static byte[] Nested(int containers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("a");
        for (var i = 1; i < containers; i++)
        {
            writer.WriteArrayHeader(1);
        }

        writer.Write(1);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A value at <paramref name="depth"/>; a container there has children only while depth is below <see cref="MaxDepth"/>.</summary>
    private static void WriteValue(ref MessagePackWriter writer, Random random, int depth, ref int budget)
    {
        budget--;
        var kind = random.Next(depth < MaxDepth && budget > 0 ? 15 : 12);
        switch (kind)
        {
            case 0:
                writer.WriteNil();
                break;
            case 1:
                writer.Write(random.Next(2) == 0);
                break;
            case 2:
                writer.Write(random.Next(2) == 0 ? _longs[random.Next(_longs.Length)] : random.NextInt64(long.MinValue, long.MaxValue));
                break;
            case 3:
                writer.Write(random.Next(2) == 0 ? ulong.MaxValue : (ulong)random.NextInt64() << 1);
                break;
            case 4:
                writer.Write(random.Next(2) == 0 ? _doubles[random.Next(_doubles.Length)] : BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)));
                break;
            case 5:
                writer.Write(random.Next(2) == 0 ? _floats[random.Next(_floats.Length)] : BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)));
                break;
            case 6:
            case 7:
                WriteString(ref writer, random);
                break;
            case 8:
                writer.Write(Bytes(random, 16));
                break;
            case 9:
                writer.WriteExtensionFormat(new ExtensionResult((sbyte)random.Next(-128, 128), Bytes(random, 16)));
                break;
            case 10:
                writer.WriteExtensionFormat(new ExtensionResult(-1, Timestamp(random)));
                break;
            case 11:
                writer.Write(random.NextDouble() * 2e9); // an ordinary float, as most payloads carry
                break;
            case 12:
                var items = random.Next(0, 5);
                writer.WriteArrayHeader(items);
                for (var i = 0; i < items; i++)
                {
                    WriteValue(ref writer, random, depth + 1, ref budget);
                }

                break;
            case 13:
                var entries = random.Next(0, 5);
                writer.WriteMapHeader(entries);
                for (var i = 0; i < entries; i++)
                {
                    // Keys of nested maps may be any scalar, as MessagePack allows.
                    var keyBudget = 0;
                    WriteValue(ref writer, random, MaxDepth, ref keyBudget);
                    WriteValue(ref writer, random, depth + 1, ref budget);
                }

                break;
            default:
                // Arrays down to the deepest level the broker forwards, around one scalar.
                for (var d = depth; d < MaxDepth; d++)
                {
                    writer.WriteArrayHeader(1);
                }

                var leafBudget = 0;
                WriteValue(ref writer, random, MaxDepth, ref leafBudget);
                break;
        }
    }

    /// <summary>Hostile text atoms, or raw bytes that are often invalid UTF-8.</summary>
    private static void WriteString(ref MessagePackWriter writer, Random random)
    {
        if (random.Next(3) == 0)
        {
            writer.WriteString(Bytes(random, 12));
            return;
        }

        var atoms = random.Next(0, 5);
        var text = string.Empty;
        for (var i = 0; i < atoms; i++)
        {
            text += _hostile[random.Next(_hostile.Length)];
        }

        writer.Write(text);
    }

    /// <summary>A 96-bit MessagePack timestamp: in range, far outside years 1 to 9999, or with invalid nanoseconds.</summary>
    private static byte[] Timestamp(Random random)
    {
        var data = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)random.Next(0, 1_000_000_100));
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(4), random.Next(2) == 0 ? random.Next() : random.NextInt64(long.MinValue, long.MaxValue));
        return data;
    }

    private static byte[] Bytes(Random random, int max)
    {
        var bytes = new byte[random.Next(0, max + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
