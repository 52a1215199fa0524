using System.Buffers;
using System.Runtime.Serialization;
using Decnet.Bus.Codec;
using FsCheck.Xunit;
using MessagePack;
using MessagePack.Resolvers;

namespace Decnet.Bus.Abstractions.Tests.Codec;

/// <summary>
/// Plain payload classes are written without MessagePack's generated formatter; these tests hold the bytes to
/// MessagePack's own for every shape taken, and every shape declined to MessagePack.
/// </summary>
public sealed class PlainPayloadTests
{
    private static readonly MessagePackSerializerOptions _messagePack =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    [Property(MaxTest = 300)]
    public bool EveryMemberType_IsWrittenAsMessagePackWritesIt(
        bool flag, byte u8, sbyte i8, short i16, ushort u16, int i32, uint u32, long i64, ulong u64, float f32,
        double f64, string? text, byte[]? bytes)
    {
        var payload = new EveryType
        {
            Flag = flag,
            U8 = u8,
            I8 = i8,
            I16 = i16,
            U16 = u16,
            I32 = i32,
            U32 = u32,
            I64 = i64,
            U64 = u64,
            F32 = f32,
            F64 = f64,
            Text = text,
            Bytes = bytes,
        };
        return PlainPayload<EveryType>.IsPlain && Written(payload).SequenceEqual(MessagePackSerializer.Serialize(payload, _messagePack));
    }

    [Fact]
    public void IntegersAtEveryEncodingBoundary_AreWrittenAsMessagePackWritesThem()
    {
        long[] edges = [0, 1, 127, 128, 255, 256, 32_767, 32_768, 65_535, 65_536, int.MaxValue, 1L + int.MaxValue,
            uint.MaxValue, 1L + uint.MaxValue, long.MaxValue, -1, -32, -33, -128, -129, -32_768, -32_769, int.MinValue,
            -1L + int.MinValue, long.MinValue];
        foreach (var edge in edges)
        {
            var payload = new EveryType
            {
                I64 = edge,
                U64 = unchecked((ulong)edge),
                I32 = unchecked((int)edge),
                U32 = unchecked((uint)edge),
                I16 = unchecked((short)edge),
                U16 = unchecked((ushort)edge),
                I8 = unchecked((sbyte)edge),
                U8 = unchecked((byte)edge),
                Text = new string('t', (int)(unchecked((ulong)edge) % 70_000)),
                Bytes = new byte[unchecked((ulong)edge) % 70_000],
            };
            Assert.Equal(MessagePackSerializer.Serialize(payload, _messagePack), Written(payload));
        }
    }

    [Fact]
    public void EachShapeTaken_IsWrittenAsMessagePackWritesIt()
    {
        AssertSameAsMessagePack(new EveryType { Text = null, Bytes = null });
        AssertSameAsMessagePack(new EveryType { Text = string.Empty, Bytes = [], F32 = float.NaN, F64 = double.NegativeInfinity });
        AssertSameAsMessagePack(new Stamped { T = 1_733_412_345_678_901_234, D = new byte[112] });
        AssertSameAsMessagePack(new Positional(-7, "decky-01"));
        AssertSameAsMessagePack(new WithSkippedMembers { Kept = 3 });
        AssertSameAsMessagePack(new ConstructedFromItsProperties(5) { Other = "x" });
        AssertSameAsMessagePack(new WorkerHealth { Worker = "mutator", Timestamp = 1_733_412_345.25, ProcessId = 4242, UptimeSeconds = 0.5 });
        AssertSameAsMessagePack(new KeyedOutOfOrder());
        AssertSameAsMessagePack(new OddNames { Größe = 2, AVeryLongPropertyNameThatNeedsAStr8KeyInMessagePack = "ü" });
    }

    [Theory]
    [InlineData(typeof(InternalShape))]
    [InlineData(typeof(GetOnly))]
    [InlineData(typeof(PrivateSetter))]
    [InlineData(typeof(PublicField))]
    [InlineData(typeof(IgnoredMember))]
    [InlineData(typeof(DataContractShape))]
    [InlineData(typeof(KeyedObject))]
    [InlineData(typeof(Derived))]
    [InlineData(typeof(Generic<long>))]
    [InlineData(typeof(Unsealed))]
    [InlineData(typeof(Tuple<long, string>))]
    [InlineData(typeof(Version))]
    [InlineData(typeof(WithDateTime))]
    [InlineData(typeof(NoReadingConstructor))]
    [InlineData(typeof(WithCallbacks))]
    [InlineData(typeof(NoMembers))]
    [InlineData(typeof(WithIndexer))]
    [InlineData(typeof(ValueShape))]
    [InlineData(typeof(Dictionary<string, object>))]
    [InlineData(typeof(KeyedWithAnUnkeyedProperty))]
    [InlineData(typeof(IntKeyed))]
    [InlineData(typeof(KeyedWithIgnoredMember))]
    [InlineData(typeof(KeyedWithoutParameterlessConstructor))]
    [InlineData(typeof(KeyedTwice))]
    public void ShapesMessagePackMightWriteDifferently_AreLeftToMessagePack(Type type)
        => Assert.Null(PlainPayloadRules.SerializableProperties(type));

    [Fact]
    public void AGetterThatThrows_IsReportedAsAPayloadThatCannotBeSerialized()
    {
        var error = Assert.Throws<ArgumentException>(() => Written(new Throwing()));

        Assert.Contains(nameof(Throwing), error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    private static byte[] Written<T>(T payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        BusCodec.WritePayload(buffer, payload);
        return buffer.WrittenSpan.ToArray();
    }

    private static void AssertSameAsMessagePack<T>(T payload)
    {
        Assert.True(PlainPayload<T>.IsPlain, typeof(T).Name);
        Assert.Equal(MessagePackSerializer.Serialize(payload, _messagePack), Written(payload));
    }

    public sealed class EveryType
    {
        public bool Flag { get; set; }
        public byte U8 { get; set; }
        public sbyte I8 { get; set; }
        public short I16 { get; set; }
        public ushort U16 { get; set; }
        public int I32 { get; set; }
        public uint U32 { get; set; }
        public long I64 { get; set; }
        public ulong U64 { get; set; }
        public float F32 { get; set; }
        public double F64 { get; set; }
        public string? Text { get; set; }
        public byte[]? Bytes { get; set; }
    }

    public sealed class Stamped
    {
        public long T { get; set; }
        public byte[] D { get; set; } = [];
    }

    public sealed record Positional(long Mutation, string Decky);

    public sealed class WithSkippedMembers
    {
        public static int Shared { get; set; } = 9;
        public int Kept { get; set; }
        internal int Internal { get; set; } = 4;
        private int Private { get; set; } = 6;
        private readonly int _field = 7;

        public int Sum() => Internal + Private + _field;
    }

    public sealed class ConstructedFromItsProperties(int count)
    {
        public int Count { get; set; } = count;
        public string? Other { get; set; }
    }

    public sealed class OddNames
    {
        public int Größe { get; set; }
        public string? AVeryLongPropertyNameThatNeedsAStr8KeyInMessagePack { get; set; }
    }

    public sealed class Throwing
    {
        public int Value { get => throw new InvalidOperationException("no value"); set => _ = value; }
    }

    internal sealed class InternalShape
    {
        public int A { get; set; }
    }

    public sealed class GetOnly
    {
        public int A { get; } = 1;
        public int B { get; set; }
    }

    public sealed class PrivateSetter
    {
        public int A { get; private set; }
    }

    public sealed class PublicField
    {
#pragma warning disable SA1401 // The shape under test is a public field.
        public int F = 1;
#pragma warning restore SA1401
        public int A { get; set; }
    }

    public sealed class IgnoredMember
    {
        public int A { get; set; }
        [IgnoreMember]
        public int B { get; set; }
    }

    [DataContract]
    public sealed class DataContractShape
    {
        [DataMember(Name = "a")]
        public int A { get; set; }
    }

    [MessagePackObject(keyAsPropertyName: true)]
    public sealed class KeyedObject
    {
        public int A { get; set; }
    }

    public class Unsealed
    {
        public int A { get; set; }
    }

    public sealed class Derived : Unsealed
    {
        public int B { get; set; }
    }

    public sealed class Generic<T>
    {
        public T? A { get; set; }
    }

    public sealed class WithDateTime
    {
        public DateTime When { get; set; }
    }

    public sealed class NoReadingConstructor(int z)
    {
        public int A { get; set; } = z;
    }

    public sealed class WithCallbacks : IMessagePackSerializationCallbackReceiver
    {
        public int A { get; set; }

        public void OnBeforeSerialize() => A++;

        public void OnAfterDeserialize()
        {
        }
    }

    public sealed class NoMembers
    {
    }

    public sealed class WithIndexer
    {
        public int this[int i] { get => i; set => _ = value; }
    }

    public struct ValueShape
    {
        public int A { get; set; }
    }

    [MessagePackObject]
    public sealed class KeyedOutOfOrder
    {
        [Key("zeta")]
        public int Z { get; set; } = 1;

        [Key("alpha")]
        public string A { get; set; } = "a";

        [Key("fixed")]
        public double Fixed { get; } = 2.5;
    }

    [MessagePackObject]
    public sealed class KeyedWithAnUnkeyedProperty
    {
        [Key("a")]
        public int A { get; set; }

        public int B { get; set; }
    }

    [MessagePackObject]
    public sealed class IntKeyed
    {
        [Key(0)]
        public int A { get; set; }
    }

    [MessagePackObject]
    public sealed class KeyedWithIgnoredMember
    {
        [Key("a")]
        public int A { get; set; }

        [IgnoreMember]
        public int B { get; set; }
    }

    [MessagePackObject]
    public sealed class KeyedWithoutParameterlessConstructor(int a)
    {
        [Key("a")]
        public int A { get; set; } = a;
    }

    [MessagePackObject]
    public sealed class KeyedTwice
    {
        [Key("a")]
        public int A { get; set; }

        [Key("a")]
        public int B { get; set; }
    }
}
