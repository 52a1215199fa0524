using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Internal;

namespace Decnet.Bus.Codec;

/// <summary>
/// One property of a plain payload: its key, encoded once by the helper MessagePack's generated formatters use
/// (<see cref="CodeGenHelpers.GetEncodedStringBytes"/>), and its value.
/// </summary>
internal abstract class PlainMember<T>
{
    /// <summary>Writes the key and the value read from <paramref name="payload"/>.</summary>
    public abstract void Write(ref MessagePackWriter writer, T payload);
}

/// <summary>A property of a value type <typeparamref name="TValue"/>, one of the types <see cref="PlainPayloadRules"/> takes.</summary>
/// <remarks>
/// Each type is written through the same <see cref="MessagePackWriter"/> overload as MessagePack's built-in formatter
/// for it, so the bytes match. The JIT compiles this class for each value type apart and keeps only the branch that
/// applies; strings and byte arrays have classes of their own, since code shared by reference types would test
/// <typeparamref name="TValue"/> at run time.
/// </remarks>
internal sealed class PlainMember<T, TValue> : PlainMember<T>
{
    private readonly byte[] _key;
    private readonly Func<T, TValue> _get;

    public PlainMember(PlainProperty property)
    {
        _key = CodeGenHelpers.GetEncodedStringBytes(property.Key);
        _get = property.Property.GetMethod!.CreateDelegate<Func<T, TValue>>();
    }

    public override void Write(ref MessagePackWriter writer, T payload)
    {
        writer.WriteRaw(_key);
        var value = _get(payload);
        if (typeof(TValue) == typeof(long))
        {
            writer.Write(Unsafe.As<TValue, long>(ref value));
        }
        else if (typeof(TValue) == typeof(int))
        {
            writer.Write(Unsafe.As<TValue, int>(ref value));
        }
        else if (typeof(TValue) == typeof(bool))
        {
            writer.Write(Unsafe.As<TValue, bool>(ref value));
        }
        else if (typeof(TValue) == typeof(double))
        {
            writer.Write(Unsafe.As<TValue, double>(ref value));
        }
        else if (typeof(TValue) == typeof(float))
        {
            writer.Write(Unsafe.As<TValue, float>(ref value));
        }
        else if (typeof(TValue) == typeof(byte))
        {
            writer.Write(Unsafe.As<TValue, byte>(ref value));
        }
        else if (typeof(TValue) == typeof(sbyte))
        {
            writer.Write(Unsafe.As<TValue, sbyte>(ref value));
        }
        else if (typeof(TValue) == typeof(short))
        {
            writer.Write(Unsafe.As<TValue, short>(ref value));
        }
        else if (typeof(TValue) == typeof(ushort))
        {
            writer.Write(Unsafe.As<TValue, ushort>(ref value));
        }
        else if (typeof(TValue) == typeof(uint))
        {
            writer.Write(Unsafe.As<TValue, uint>(ref value));
        }
        else if (typeof(TValue) == typeof(ulong))
        {
            writer.Write(Unsafe.As<TValue, ulong>(ref value));
        }
        else
        {
            throw new NotSupportedException($"{typeof(TValue)} is not a plain payload member type");
        }
    }
}

/// <summary>A <see cref="string"/> property, written as MessagePack's string formatter writes it (nil for null).</summary>
internal sealed class PlainStringMember<T>(PlainProperty property) : PlainMember<T>
{
    private readonly byte[] _key = CodeGenHelpers.GetEncodedStringBytes(property.Key);
    private readonly Func<T, string?> _get = property.Property.GetMethod!.CreateDelegate<Func<T, string?>>();

    public override void Write(ref MessagePackWriter writer, T payload)
    {
        writer.WriteRaw(_key);
        writer.Write(_get(payload));
    }
}

/// <summary>A <see cref="byte"/> array property, written as MessagePack's byte array formatter writes it (nil for null).</summary>
internal sealed class PlainBytesMember<T>(PlainProperty property) : PlainMember<T>
{
    private readonly byte[] _key = CodeGenHelpers.GetEncodedStringBytes(property.Key);
    private readonly Func<T, byte[]?> _get = property.Property.GetMethod!.CreateDelegate<Func<T, byte[]?>>();

    public override void Write(ref MessagePackWriter writer, T payload)
    {
        writer.WriteRaw(_key);
        writer.Write(_get(payload));
    }
}
