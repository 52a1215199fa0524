using System.Collections;
using System.Reflection;
using MessagePack;

namespace Decnet.Bus.Codec;

/// <summary>
/// Decides which payload types <see cref="PlainPayload{T}"/> may write itself, byte for byte as MessagePack would:
/// plain data classes whose every written member has a built-in MessagePack encoding.
/// </summary>
/// <remarks>
/// Two shapes are taken. Without attributes, MessagePack's contractless resolver writes a public type's properties
/// that have a public getter and a public setter (or init), in declaration order, keyed by name, skipping static and
/// non-public ones and non-public fields, and fails on a type it could not construct when reading; whether it writes
/// a property without a public setter depends on the constructor, so such a type is left to it. With
/// <c>[MessagePackObject]</c> and a string <c>[Key]</c> on every public property, it writes those properties in
/// declaration order under their keys. Anything MessagePack might treat differently is left to MessagePack: other
/// attributes from MessagePack or data contracts, serialization callbacks, inheritance, generics (some are
/// MessagePack's own formats, such as tuples), collections, framework types (the built-in resolver has formats for
/// many), types that are not public, public fields, indexers, and properties of any other type.
/// </remarks>
internal static class PlainPayloadRules
{
    private const BindingFlags _everyInstanceMember =
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly HashSet<Type> _memberTypes =
    [
        typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(string), typeof(byte[]),
    ];

    private static readonly string[] _foreignNamespaces = ["System", "Microsoft", "MessagePack"];

    /// <summary>
    /// Returns the properties to write with their keys, in MessagePack's order, or null when MessagePack must write the
    /// type.
    /// </summary>
    public static PlainProperty[]? SerializableProperties(Type type)
    {
        if (!type.IsClass || !type.IsSealed || !type.IsVisible || type.IsGenericType || type.BaseType != typeof(object)
            || typeof(IEnumerable).IsAssignableFrom(type)
            || typeof(IMessagePackSerializationCallbackReceiver).IsAssignableFrom(type)
            || IsForeign(type.Namespace))
        {
            return null;
        }

        var keyed = false;
        foreach (var attribute in type.CustomAttributes)
        {
            if (attribute.AttributeType == typeof(MessagePackObjectAttribute) && IsStringKeyed(attribute))
            {
                keyed = true;
            }
            else if (IsSerializationAttribute(attribute))
            {
                return null;
            }
        }

        var properties = type.GetProperties(BindingFlags.Instance | BindingFlags.Public);
        var written = new PlainProperty[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length != 0
                || !_memberTypes.Contains(property.PropertyType)
                || (keyed ? KeyOf(property) : NameIfWritable(property)) is not { } key)
            {
                return null;
            }

            written[i] = new PlainProperty(property, key);
        }

        return written.Length > 0 && OnlyThesePropertiesAreMarked(type, keyed) && HasUniqueKeys(written)
            && (keyed ? type.GetConstructor(Type.EmptyTypes) is not null : HasReadingConstructor(type, properties))
            ? written
            : null;
    }

    private static bool IsForeign(string? ns)
        => ns is not null && Array.Exists(
            _foreignNamespaces, root => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal));

    private static bool IsSerializationAttribute(CustomAttributeData attribute)
        => attribute.AttributeType.Namespace is { } ns
            && (ns.StartsWith("MessagePack", StringComparison.Ordinal) || ns == "System.Runtime.Serialization");

    // [MessagePackObject] or [MessagePackObject(false)], nothing named: members keyed by their [Key].
    private static bool IsStringKeyed(CustomAttributeData attribute)
        => attribute.NamedArguments.Count == 0
            && attribute.ConstructorArguments.All(argument => argument.Value is false);

    private static string? NameIfWritable(PropertyInfo property)
        => property.SetMethod is { IsPublic: true } ? property.Name : null;

    private static string? KeyOf(PropertyInfo property)
        => property.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(KeyAttribute)) is { } key
            && key.ConstructorArguments is [{ Value: string name }]
            ? name
            : null;

    // No public field, and no serialization attribute anywhere but a public property's own [Key] on a keyed type.
    private static bool OnlyThesePropertiesAreMarked(Type type, bool keyed)
    {
        foreach (var member in type.GetMembers(_everyInstanceMember))
        {
            if (member is FieldInfo { IsPublic: true })
            {
                return false;
            }

            var mayHaveKey = keyed && member is PropertyInfo { GetMethod.IsPublic: true };
            if (member.CustomAttributes.Any(
                a => IsSerializationAttribute(a) && !(mayHaveKey && a.AttributeType == typeof(KeyAttribute))))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasUniqueKeys(PlainProperty[] properties)
        => properties.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count() == properties.Length;

    // The contractless resolver builds a reader with the formatter and refuses a type it could not construct: a public
    // constructor each of whose parameters names a property (ignoring case) of the same type, the parameterless one
    // included.
    private static bool HasReadingConstructor(Type type, PropertyInfo[] properties)
        => type.GetConstructors().Any(constructor => constructor.GetParameters().All(parameter => Array.Exists(
            properties,
            p => p.PropertyType == parameter.ParameterType
                && string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))));
}

/// <summary>A property <see cref="PlainPayload{T}"/> writes, and the key it is written under.</summary>
internal readonly record struct PlainProperty(PropertyInfo Property, string Key);
