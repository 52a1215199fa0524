using System.Collections;

namespace Decnet.Bus.Codec;

/// <summary>
/// Remembers, per static payload type, that it serializes to a string-keyed map whatever the instance: then
/// <see cref="BusCodec.WritePayload{T}"/> can skip the scratch copy and the re-reading validation on the hot path.
/// </summary>
/// <remarks>
/// Only types whose shape cannot change between instances qualify: a sealed class or a struct that is not a
/// collection, with the contractless resolver, always writes the same string keys. Anything else (object,
/// interfaces, dictionaries, collections, unsealed classes whose subclasses may differ) is validated every time.
/// </remarks>
internal static class PayloadShape<T>
{
    private static readonly bool _eligible = IsFixedShape(typeof(T));
    private static volatile bool _isMap;

    /// <summary>True once an instance of <typeparamref name="T"/> validated and the type's shape is fixed.</summary>
    public static bool IsMap => _isMap;

    /// <summary>Called after an instance validated as a string-keyed map.</summary>
    public static void Validated(Type runtimeType)
    {
        if (_eligible && runtimeType == typeof(T))
        {
            _isMap = true;
        }
    }

    private static bool IsFixedShape(Type type)
        => (type.IsValueType || type.IsSealed)
            && !type.IsPrimitive
            && !type.IsEnum
            && type != typeof(string)
            && Nullable.GetUnderlyingType(type) is null
            && !typeof(IEnumerable).IsAssignableFrom(type);
}
