using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// Translates a MessagePack payload into JSON for a Python client (docs/text-protocol.md, "Translation"). Maps
/// need string keys; integers of every width keep their value; a non-finite float becomes <c>null</c> (what
/// orjson writes for it); <c>bin</c> becomes <c>{"$bin": base64}</c> and <c>ext</c>
/// <c>{"$ext": {"type": code, "data": base64}}</c>; invalid UTF-8 in a string becomes U+FFFD.
/// </summary>
internal static class MessagePackToJson
{
    /// <summary>
    /// The longest map key translated: a property name is escaped whole (six bytes per control character) before any
    /// bound on the output sees it, so a longer key is refused instead (docs/text-protocol.md §2).
    /// </summary>
    public const int MaxKeyBytes = 64 * 1024;

    // A string longer than this is written in segments of it (see WriteStringValue).
    private const int _segmentBytes = 4096;

    /// <summary>Writes the next value of <paramref name="reader"/> (at most 64 levels deep) to <paramref name="writer"/>.</summary>
    /// <exception cref="PayloadTranslationException">A map key is not a string, or the value nests deeper than 64.</exception>
    /// <exception cref="MessagePackSerializationException">The MessagePack is malformed.</exception>
    /// <exception cref="EndOfStreamException">The MessagePack is truncated.</exception>
    public static void Write(ref MessagePackReader reader, Utf8JsonWriter writer) => Write(ref reader, writer, 0);

    private static void Write(ref MessagePackReader reader, Utf8JsonWriter writer, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                CheckDepth(depth, pairs);
                writer.WriteStartObject();
                for (var i = 0; i < pairs; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        throw new PayloadTranslationException("a map key is not a string (JSON object keys are strings)");
                    }

                    WritePropertyName(ref reader, writer);
                    Write(ref reader, writer, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                CheckDepth(depth, items);
                writer.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    Write(ref reader, writer, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case MessagePackType.String:
                WriteStringValue(ref reader, writer);
                break;
            case MessagePackType.Integer:
                WriteInteger(ref reader, writer);
                break;
            case MessagePackType.Float:
                WriteFloat(writer, reader.ReadDouble());
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Binary:
                writer.WriteStartObject();
                writer.WriteBase64String("$bin", reader.ReadBytes()!.Value.ToArray());
                writer.WriteEndObject();
                break;
            case MessagePackType.Extension:
                var header = reader.ReadExtensionFormatHeader();
                var data = reader.ReadRaw(header.Length);
                writer.WriteStartObject();
                writer.WriteStartObject("$ext");
                writer.WriteNumber("type", header.TypeCode);
                writer.WriteBase64String("data", data.ToArray());
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            default:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// Writes the string at <paramref name="reader"/> as a JSON string straight from its UTF-8 (invalid UTF-8 becomes
    /// U+FFFD). A long one goes in segments, so a bound on the writer's output stops it where it passes the bound rather
    /// than after escaping the whole string (a control character is six bytes in JSON).
    /// </summary>
    public static void WriteStringValue(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        // Only a string split across segments is not one span (never in a frame the broker holds whole).
        var start = reader;
        if (!reader.TryReadStringSpan(out var utf8))
        {
            reader = start;
            writer.WriteStringValue(reader.ReadString());
            return;
        }

        if (!Utf8.IsValid(utf8))
        {
            WriteReplacingInvalid(utf8, writer);
            return;
        }

        if (utf8.Length <= _segmentBytes)
        {
            writer.WriteStringValue(utf8);
            return;
        }

        for (; utf8.Length > _segmentBytes; utf8 = utf8[_segmentBytes..])
        {
            writer.WriteStringValueSegment(utf8[.._segmentBytes], isFinalSegment: false);
        }

        writer.WriteStringValueSegment(utf8, isFinalSegment: true);
    }

    /// <summary>
    /// Writes a float so Python reads a float back: shortest round-trip form, with <c>.0</c> added to a whole number
    /// (<c>1.0</c>, not <c>1</c>, which Python would read as an int), as Python's <c>json</c> and orjson write it. A
    /// non-finite value becomes <c>null</c>.
    /// </summary>
    public static void WriteFloat(Utf8JsonWriter writer, double number)
    {
        if (!double.IsFinite(number))
        {
            writer.WriteNullValue();
            return;
        }

        Span<byte> text = stackalloc byte[40];
        if (!number.TryFormat(text, out var length, "R", System.Globalization.CultureInfo.InvariantCulture))
        {
            writer.WriteNumberValue(number);
            return;
        }

        if (text[..length].IndexOfAny(".eE"u8) < 0)
        {
            text[length++] = (byte)'.';
            text[length++] = (byte)'0';
        }

        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    /// <summary>
    /// Writes invalid UTF-8 as a JSON string with U+FFFD for each invalid sequence (as <see cref="MessagePackReader.ReadString"/>
    /// decodes it), in segments: neither a UTF-16 copy of the whole string nor its whole escape is made.
    /// </summary>
    private static void WriteReplacingInvalid(ReadOnlySpan<byte> utf8, Utf8JsonWriter writer)
    {
        // Through UTF-16 and back, a segment at a time: the writer's UTF-16 segments cost an allocation each.
        Span<char> chars = stackalloc char[_segmentBytes / 2];
        Span<byte> valid = stackalloc byte[_segmentBytes / 2 * 3];
        do
        {
            // A segment ends before a sequence or surrogate pair that does not fit whole (DestinationTooSmall).
            Utf8.ToUtf16(utf8, chars, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: true);
            utf8 = utf8[read..];
            Utf8.FromUtf16(chars[..written], valid, out _, out var bytes);
            writer.WriteStringValueSegment(valid[..bytes], isFinalSegment: utf8.IsEmpty);
        }
        while (!utf8.IsEmpty);
    }

    private static void WritePropertyName(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        var start = reader;
        if (reader.TryReadStringSpan(out var utf8))
        {
            if (utf8.Length > MaxKeyBytes)
            {
                throw new PayloadTranslationException($"a map key is {utf8.Length} bytes; at most {MaxKeyBytes} are translated");
            }

            if (Utf8.IsValid(utf8))
            {
                writer.WritePropertyName(utf8);
                return;
            }
        }

        reader = start;
        writer.WritePropertyName(reader.ReadString()!);
    }

    private static void WriteInteger(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        // uint64 above long.MaxValue is the only integer form a signed read cannot hold.
        if (reader.NextCode == MessagePackCode.UInt64)
        {
            writer.WriteNumberValue(reader.ReadUInt64());
        }
        else
        {
            writer.WriteNumberValue(reader.ReadInt64());
        }
    }

    /// <summary>
    /// The bound the MessagePack broker checks a payload against (docs/wire-protocol.md §6): a container at level 64
    /// (the payload map at 0) may be empty, but nothing may sit below it.
    /// </summary>
    private static void CheckDepth(int depth, int count)
    {
        if (depth >= ProtocolConstants.MaxNestingDepth && count > 0)
        {
            throw new PayloadTranslationException($"the payload nests deeper than {ProtocolConstants.MaxNestingDepth} levels");
        }
    }
}
