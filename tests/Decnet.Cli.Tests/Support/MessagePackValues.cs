using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using MessagePack;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// Random well-formed MessagePack payload maps over every MessagePack type (nil, bool, int64/uint64 extremes, float32
/// and float64 including NaN and ±Infinity, str with invalid UTF-8 and control/bidi characters, bin, ext, arrays,
/// maps with non-string keys), nested up to the broker's depth limit; shared by the property test and the fuzzer.
/// </summary>
internal static class MessagePackValues
{
    /// <summary>The broker forwards a non-empty container at depth 0 to 63 (the payload map is depth 0), so a scalar can sit at 64.</summary>
    public const int MaxDepth = 64;

    private delegate void Write(ref MessagePackWriter writer);

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

    /// <summary>The bytes of a payload map with string keys.</summary>
    public static Gen<byte[]> PayloadMap => Gen.Sized(size => MapOf(StringValue, Math.Min(size, 12), 0)).Select(Serialize);

    /// <summary>A string from <see cref="_hostile"/> atoms, or random UTF-8 bytes that may be invalid.</summary>
    private static Gen<Write> StringValue => Gen.OneOf(
        Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Gen.Elements(_hostile), n)).Select(atoms => string.Concat(atoms)).Select(s => (Write)((ref MessagePackWriter w) => w.Write(s))),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(bytes => (Write)((ref MessagePackWriter w) => w.WriteString(bytes))));

    private static Gen<Write> Scalar => Gen.OneOf(
        Gen.Constant<Write>((ref MessagePackWriter w) => w.WriteNil()),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (Write)((ref MessagePackWriter w) => w.Write(b))),
        Gen.OneOf(ArbMap.Default.GeneratorFor<long>(), Gen.Elements(long.MinValue, long.MaxValue, -1L, 0L)).Select(l => (Write)((ref MessagePackWriter w) => w.Write(l))),
        Gen.OneOf(ArbMap.Default.GeneratorFor<ulong>(), Gen.Constant(ulong.MaxValue)).Select(u => (Write)((ref MessagePackWriter w) => w.Write(u))),
        Gen.OneOf(Gen.Elements(_doubles), ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble)).Select(d => (Write)((ref MessagePackWriter w) => w.Write(d))),
        Gen.OneOf(Gen.Elements(_floats), ArbMap.Default.GeneratorFor<int>().Select(BitConverter.Int32BitsToSingle)).Select(f => (Write)((ref MessagePackWriter w) => w.Write(f))),
        StringValue,
        Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()).Select(b => (Write)((ref MessagePackWriter w) => w.Write(b))),
        Extension);

    /// <summary>Any extension type and data, plus valid and out-of-range timestamps (type -1).</summary>
    private static Gen<Write> Extension => Gen.OneOf(
        from type in Gen.Choose(-128, 127)
        from data in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())
        select (Write)((ref MessagePackWriter w) =>
        {
            w.WriteExtensionFormat(new ExtensionResult((sbyte)type, data));
        }),
        from seconds in Gen.OneOf(ArbMap.Default.GeneratorFor<long>(), Gen.Choose(0, int.MaxValue).Select(i => (long)i))
        from nanos in Gen.Choose(0, 1_000_000_100)
        select (Write)((ref MessagePackWriter w) =>
        {
            var data = new byte[12];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data, (uint)nanos);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(4), seconds);
            w.WriteExtensionFormat(new ExtensionResult(-1, data));
        }));

    /// <summary>A value at <paramref name="depth"/> (the payload map is depth 0); a container there has children only up to depth 63.</summary>
    private static Gen<Write> Value(int size, int depth) => size <= 0 || depth >= MaxDepth
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (1, Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Value(size / 2, depth + 1), n)).Select(items => (Write)((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(items.Length);
                foreach (var item in items)
                {
                    item(ref w);
                }
            }))),
            (1, MapOf(Gen.OneOf(StringValue, Scalar), size / 2, depth)),
            (1, Chain(depth)));

    /// <summary>Arrays from <paramref name="depth"/> down to the deepest level the broker forwards, around one scalar.</summary>
    private static Gen<Write> Chain(int depth) => Scalar.Select(leaf => (Write)((ref MessagePackWriter w) =>
    {
        for (var d = depth; d < MaxDepth; d++)
        {
            w.WriteArrayHeader(1);
        }

        leaf(ref w);
    }));

    /// <summary>A map at <paramref name="depth"/>; its values are one level deeper.</summary>
    private static Gen<Write> MapOf(Gen<Write> key, int size, int depth) =>
        Gen.Choose(0, Math.Max(0, Math.Min(size, 6))).SelectMany(n => Gen.ArrayOf(Gen.Zip(key, Value(size, depth + 1)), n)).Select(entries => (Write)((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(entries.Length);
            foreach (var (k, v) in entries)
            {
                k(ref w);
                v(ref w);
            }
        }));

    private static byte[] Serialize(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
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
}
