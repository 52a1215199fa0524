using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Decnet.Bus.Codec;
using MessagePack;

namespace Decnet.Cli.Bus;

/// <summary>
/// Renders any MessagePack value as JSON by walking its tokens, so every well-formed payload prints, whatever it holds
/// (docs/operations.md, "How sub prints what it receives"): non-finite floats become the strings <c>"NaN"</c>,
/// <c>"Infinity"</c> and <c>"-Infinity"</c>; bin becomes a base64 string; a timestamp extension (type -1) becomes an
/// ISO 8601 UTC string when it fits years 1 to 9999; any other extension becomes <c>{"ext":TYPE,"base64":DATA}</c>;
/// invalid UTF-8 in a string becomes U+FFFD; a non-string map key becomes its JSON text.
/// </summary>
internal static class MessagePackJson
{
    private const int _timestampExtension = -1;
    private const long _unixSecondsMin = -62_135_596_800; // 0001-01-01T00:00:00Z
    private const long _unixSecondsMax = 253_402_300_799; // 9999-12-31T23:59:59Z

    // Replaces invalid bytes with U+FFFD instead of throwing: a hostile string still prints.
    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Writes <paramref name="messagePack"/> as one JSON value into <paramref name="writer"/>, or writes <c>null</c>
    /// and returns why it could not: truncated or invalid MessagePack, trailing bytes, or nesting deeper than the
    /// broker forwards (<see cref="BusCodec.MaxPayloadDepth"/>).
    /// </summary>
    public static string? TryWrite(Utf8JsonWriter writer, ReadOnlyMemory<byte> messagePack, JsonWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, messagePack.Length * 2));
        string? error;
        try
        {
            // Rendered apart first, so a value that fails halfway leaves nothing half-written in the line.
            using var json = new Utf8JsonWriter(buffer, options);
            var reader = new MessagePackReader(messagePack);
            WriteValue(json, ref reader, 0, options);
            json.Flush();
            error = reader.End ? null : "trailing bytes after the payload";
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException or ArgumentException)
        {
            error = ex.Message;
        }

        if (error is null)
        {
            writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
            return null;
        }

        writer.WriteNullValue();
        return $"undecodable payload ({error})";
    }

    private static void WriteValue(Utf8JsonWriter json, ref MessagePackReader reader, int depth, JsonWriterOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    json.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    json.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                WriteFloat(json, ref reader);
                break;
            case MessagePackType.String:
                json.WriteStringValue(ReadString(ref reader));
                break;
            case MessagePackType.Binary:
                json.WriteBase64StringValue(ReadAll(reader.ReadBytes()));
                break;
            case MessagePackType.Extension:
                WriteExtension(json, ref reader);
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                EnsureDepth(items, depth);
                json.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    WriteValue(json, ref reader, depth + 1, options);
                }

                json.WriteEndArray();
                break;
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                EnsureDepth(entries, depth);
                json.WriteStartObject();
                for (var i = 0; i < entries; i++)
                {
                    json.WritePropertyName(ReadKey(ref reader, depth + 1, options));
                    WriteValue(json, ref reader, depth + 1, options);
                }

                json.WriteEndObject();
                break;
            default:
                throw new MessagePackSerializationException($"invalid MessagePack code 0x{reader.NextCode:x2}");
        }
    }

    /// <summary>The broker forwards a non-empty container only above its depth limit (Protocol/BoundedSkip); so do we.</summary>
    private static void EnsureDepth(int children, int depth)
    {
        if (children > 0 && depth >= BusCodec.MaxPayloadDepth)
        {
            throw new MessagePackSerializationException($"nesting is deeper than {BusCodec.MaxPayloadDepth} levels");
        }
    }

    private static void WriteFloat(Utf8JsonWriter json, ref MessagePackReader reader)
    {
        // ReadDouble reads a float32 exactly; a float32 is printed at its own precision (0.1f as 0.1, not 0.100000001).
        var isSingle = reader.NextCode == MessagePackCode.Float32;
        var value = reader.ReadDouble();
        if (double.IsNaN(value))
        {
            json.WriteStringValue("NaN");
        }
        else if (double.IsInfinity(value))
        {
            json.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        }
        else if (isSingle)
        {
            json.WriteNumberValue((float)value);
        }
        else
        {
            json.WriteNumberValue(value);
        }
    }

    private static void WriteExtension(Utf8JsonWriter json, ref MessagePackReader reader)
    {
        var header = reader.ReadExtensionFormatHeader();
        var data = reader.ReadRaw(header.Length).ToArray();
        if (header.TypeCode == _timestampExtension && TryFormatTimestamp(data) is { } time)
        {
            json.WriteStringValue(time);
            return;
        }

        json.WriteStartObject();
        json.WriteNumber("ext", header.TypeCode);
        json.WriteBase64String("base64", data);
        json.WriteEndObject();
    }

    /// <summary>The MessagePack timestamp (32, 64 or 96 bit) as ISO 8601 UTC, or null when malformed or outside years 1 to 9999.</summary>
    private static string? TryFormatTimestamp(byte[] data)
    {
        long seconds;
        long nanoseconds;
        switch (data.Length)
        {
            case 4:
                seconds = BinaryPrimitives.ReadUInt32BigEndian(data);
                nanoseconds = 0;
                break;
            case 8:
                var packed = BinaryPrimitives.ReadUInt64BigEndian(data);
                nanoseconds = (long)(packed >> 34);
                seconds = (long)(packed & 0x3_FFFF_FFFFUL);
                break;
            case 12:
                nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(data);
                seconds = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(4));
                break;
            default:
                return null;
        }

        if (nanoseconds > 999_999_999 || seconds < _unixSecondsMin || seconds > _unixSecondsMax)
        {
            return null;
        }

        var time = DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    }

    private static string ReadKey(ref MessagePackReader reader, int depth, JsonWriterOptions options)
    {
        if (reader.NextMessagePackType == MessagePackType.String)
        {
            return ReadString(ref reader);
        }

        // JSON keys are strings: another key type is shown as its own JSON text (1, true, null, [1,2], ...).
        var buffer = new ArrayBufferWriter<byte>(32);
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            WriteValue(json, ref reader, depth, options);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ReadString(ref MessagePackReader reader) => _utf8.GetString(ReadAll(reader.ReadStringSequence()));

    private static byte[] ReadAll(ReadOnlySequence<byte>? bytes) => bytes is { } value ? value.ToArray() : [];
}
