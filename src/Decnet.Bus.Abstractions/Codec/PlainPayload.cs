using System.Buffers;
using MessagePack;

namespace Decnet.Bus.Codec;

/// <summary>
/// Writes a plain data class (<see cref="PlainPayloadRules"/>) as the string-keyed map MessagePack's contractless
/// resolver writes for it, without MessagePack building that type's formatter at run time.
/// </summary>
/// <remarks>
/// MessagePack generates a formatter per payload type with Reflection.Emit at its first use, about 0.15 s of CPU in a
/// process that publishes it (docs/performance-history-5.md, part 27): a quarter of a short-lived worker's first
/// second. Reading each property through a delegate made from its getter costs a few milliseconds instead, and the
/// bytes are the same.
/// </remarks>
internal static class PlainPayload<T>
{
    private static readonly PlainMember<T>[]? _members = Build();

    /// <summary>True when <typeparamref name="T"/> is written here rather than by MessagePack.</summary>
    public static bool IsPlain => _members is not null;

    /// <summary>Writes <paramref name="payload"/> as a map; call only when <see cref="IsPlain"/>.</summary>
    /// <exception cref="ArgumentException">A property's getter threw.</exception>
    public static void Write(IBufferWriter<byte> destination, T payload)
    {
        var members = _members!;
        var writer = new MessagePackWriter(destination);
        writer.WriteMapHeader(members.Length);
        try
        {
            foreach (var member in members)
            {
                member.Write(ref writer, payload);
            }
        }
        catch (Exception ex)
        {
            // As MessagePack wraps a failing getter, and WritePayload reports it.
            throw new ArgumentException($"Payload of type {typeof(T)} cannot be serialized: {ex.Message}", nameof(payload), ex);
        }

        writer.Flush();
    }

    private static PlainMember<T>[]? Build()
    {
        if (PlainPayloadRules.SerializableProperties(typeof(T)) is not { } properties)
        {
            return null;
        }

        var members = new PlainMember<T>[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            var type = properties[i].Property.PropertyType;
            members[i] = type == typeof(string) ? new PlainStringMember<T>(properties[i])
                : type == typeof(byte[]) ? new PlainBytesMember<T>(properties[i])
                : (PlainMember<T>)Activator.CreateInstance(typeof(PlainMember<,>).MakeGenericType(typeof(T), type), properties[i])!;
        }

        return members;
    }
}
