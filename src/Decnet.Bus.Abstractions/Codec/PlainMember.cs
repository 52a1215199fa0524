using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Decnet.Bus.Codec;

/// <summary>One property of a plain payload: its key, encoded once, and its value.</summary>
internal abstract class PlainMember<T>
{
    /// <summary>Writes the key and the value read from <paramref name="payload"/>.</summary>
    public abstract void Write(ref MessagePackWriter writer, T payload);
}

/// <summary>A property of type <typeparamref name="TValue"/>, one of the types <see cref="PlainPayloadRules"/> takes.</summary>
/// <remarks>
/// Each type is written through the same <see cref="MessagePackWriter"/> overload as MessagePack's built-in formatter
/// for it, so the bytes match. For value types the JIT keeps only the branch that applies.
/// </remarks>
internal sealed class PlainMember<T, TValue> : PlainMember<T>
{
    private readonly byte[] _key;
    private readonly Func<T, TValue> _get;

    public PlainMember(PlainProperty property)
    {
        var key = new ArrayBufferWriter<byte>(property.Key.Length + 5);
        var writer = new MessagePackWriter(key);
        writer.Write(property.Key);
        writer.Flush();
        _key = key.WrittenSpan.ToArray();
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
        else if (value is byte[] bytes)
        {
            writer.Write(bytes);
        }
        else if (value is string text)
        {
            writer.Write(text);
        }
        else
        {
            // A null string or byte array: MessagePack's formatters write nil for both.
            writer.WriteNil();
        }
    }
}
