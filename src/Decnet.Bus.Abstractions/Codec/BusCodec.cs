using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;

namespace Decnet.Bus.Codec;

/// <summary>
/// The one MessagePack codec every transport reuses for payloads and envelopes. Encoding accepts typed objects
/// (contractless: public properties become string keys, or <c>[Key("name")]</c> on <c>[MessagePackObject]</c> types)
/// and dictionaries; decoding always uses <see cref="MessagePackSecurity.UntrustedData"/> with a depth limit and never
/// the typeless resolver.
/// </summary>
public static partial class BusCodec
{
    /// <summary>Maximum nesting depth accepted when decoding a payload.</summary>
    internal const int MaxPayloadDepth = 64;

    /// <summary>The bytes of an empty MessagePack map, published for a null payload.</summary>
    internal static ReadOnlyMemory<byte> EmptyMap { get; } = new byte[] { 0x80 };

    /// <summary>Options used to encode payloads.</summary>
    internal static MessagePackSerializerOptions EncodeOptions => ResolverOptions.Encode;

    /// <summary>Options used to decode untrusted payloads.</summary>
    internal static MessagePackSerializerOptions DecodeOptions => ResolverOptions.Decode;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadScratch;

    /// <summary>Serializes <paramref name="payload"/> into <paramref name="destination"/> after checking it is a map with string keys.</summary>
    /// <exception cref="ArgumentException">The payload serializes to something other than a string-keyed map.</exception>
    internal static void WritePayload<T>(IBufferWriter<byte> destination, T payload)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (payload is null)
        {
            destination.Write(EmptyMap.Span);
            return;
        }

        if (PlainPayload<T>.IsPlain)
        {
            PlainPayload<T>.Write(destination, payload);
            return;
        }

        if (PayloadShape<T>.IsMap)
        {
            // This type has already serialized to a string-keyed map and cannot do otherwise: write it straight in.
            try
            {
                MessagePackSerializer.Serialize(destination, payload, EncodeOptions);
                return;
            }
            catch (MessagePackSerializationException ex)
            {
                throw new ArgumentException($"Payload of type {typeof(T)} cannot be serialized: {ex.Message}", nameof(payload), ex);
            }
        }

        // Off the thread's slot while in use: the serializer runs the payload's getters, and a publish one makes on
        // this thread must not write into this buffer (it gets a new one). Put back after, unless a throw or its size
        // says not.
        var scratch = _threadScratch ?? new ArrayBufferWriter<byte>(512);
        _threadScratch = null;
        scratch.ResetWrittenCount();
        try
        {
            MessagePackSerializer.Serialize(scratch, payload, EncodeOptions);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new ArgumentException($"Payload of type {typeof(T)} cannot be serialized: {ex.Message}", nameof(payload), ex);
        }

        var written = scratch.WrittenSpan;
        if (DescribePayloadError(new ReadOnlySequence<byte>(scratch.WrittenMemory)) is { } error)
        {
            throw new ArgumentException($"Payload of type {payload.GetType()} {error}; publish a dictionary or an object with named members.", nameof(payload));
        }

        PayloadShape<T>.Validated(payload.GetType());
        destination.Write(written);

        // Do not let one huge payload pin a huge buffer on this thread forever.
        if (scratch.Capacity <= 1 << 20)
        {
            _threadScratch = scratch;
        }
    }

    /// <summary>Serializes a payload to a new array (convenience for transports that keep events in memory).</summary>
    /// <exception cref="ArgumentException">The payload is not a string-keyed map.</exception>
    internal static byte[] SerializePayload<T>(T payload)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        WritePayload(buffer, payload);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a payload as <typeparamref name="T"/> with the untrusted-data profile.</summary>
    /// <exception cref="MessagePackSerializationException">The bytes do not decode as <typeparamref name="T"/>.</exception>
    internal static T DeserializePayload<T>(ReadOnlyMemory<byte> payload)
        => MessagePackSerializer.Deserialize<T>(payload, DecodeOptions);

    /// <summary>Decodes a payload as a string-keyed dictionary with the untrusted-data profile.</summary>
    /// <exception cref="MessagePackSerializationException">The bytes are not a string-keyed map, or a key appears twice.</exception>
    internal static IReadOnlyDictionary<string, object?> DeserializePayloadAsDictionary(ReadOnlyMemory<byte> payload)
        => MessagePackSerializer.Deserialize<Dictionary<string, object?>>(payload, DecodeOptions);

    /// <summary>Returns why <paramref name="payload"/> is not exactly one MessagePack map with string keys, or null when it is.</summary>
    internal static string? DescribePayloadError(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return "is empty";
        }

        var sequence = new ReadOnlySequence<byte>(payload.ToArray());
        return DescribePayloadError(sequence);
    }

    /// <summary>Returns why <paramref name="payload"/> is not exactly one MessagePack map with string keys, or null when it is.</summary>
    internal static string? DescribePayloadError(ReadOnlySequence<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            if (reader.End || reader.NextMessagePackType != MessagePackType.Map)
            {
                return reader.End ? "is empty" : $"serializes to a MessagePack {reader.NextMessagePackType}, not a map";
            }

            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    return $"has a {reader.NextMessagePackType} key; keys must be strings";
                }

                reader.Skip();
                reader.Skip();
            }

            return reader.End ? null : "has trailing bytes after the map";
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            return $"is not valid MessagePack ({ex.Message})";
        }
    }

    // Built at first use, not with BusCodec: building MessagePack's resolver chain costs tens of milliseconds of CPU
    // (docs/performance-history-5.md, part 27) that a process publishing only plain payloads or reading only raw bytes
    // never needs.
    private static class ResolverOptions
    {
        public static readonly MessagePackSerializerOptions Encode =
            MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

        public static readonly MessagePackSerializerOptions Decode =
            MessagePackSerializerOptions.Standard
                .WithResolver(ContractlessStandardResolver.Instance)
                .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(MaxPayloadDepth));
    }
}
