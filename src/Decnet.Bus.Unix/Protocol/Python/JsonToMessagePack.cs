using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// Translates a JSON value from a Python client into MessagePack (docs/text-protocol.md, "Translation"): objects to
/// maps with string keys (a repeated key keeps its last value, as Python's <c>json</c> and orjson do), arrays,
/// strings, integers in the int64 or uint64 range, other numbers as float64, booleans and null.
/// </summary>
internal static class JsonToMessagePack
{
    /// <summary>
    /// Deepest JSON accepted as JSON at all. Deeper than <see cref="ProtocolConstants.MaxNestingDepth"/> is valid JSON
    /// that has no MessagePack form (dropped and counted); deeper than this is refused as malformed.
    /// </summary>
    public const int MaxJsonDepth = 1024;

    private static readonly JsonDocumentOptions _options = new() { MaxDepth = MaxJsonDepth };

    /// <summary>Parses <paramref name="json"/>; a malformed or too-deep document is a <see cref="JsonException"/>.</summary>
    /// <exception cref="JsonException">Not valid JSON (NaN and Infinity literals included), or nested deeper than <see cref="MaxJsonDepth"/>.</exception>
    public static JsonDocument Parse(ReadOnlySequence<byte> json) => JsonDocument.Parse(json, _options);

    /// <summary>Writes <paramref name="value"/> as MessagePack.</summary>
    /// <exception cref="PayloadTranslationException">A number or string has no MessagePack form, or the value nests deeper than 64.</exception>
    public static void Write(ref MessagePackWriter writer, JsonElement value) => Write(ref writer, value, 0);

    private static void Write(ref MessagePackWriter writer, JsonElement value, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckDepth(depth, value);
                WriteObject(ref writer, value, depth);
                break;
            case JsonValueKind.Array:
                CheckDepth(depth, value);
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    Write(ref writer, item, depth + 1);
                }

                break;
            case JsonValueKind.String:
                writer.Write(ReadString(value));
                break;
            case JsonValueKind.Number:
                WriteNumber(ref writer, value);
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    /// <summary>
    /// The bound the MessagePack broker checks a payload against (docs/wire-protocol.md §6): a container at level 64
    /// (the payload object at 0) may be empty, but nothing may sit below it.
    /// </summary>
    private static void CheckDepth(int depth, JsonElement container)
    {
        if (depth >= ProtocolConstants.MaxNestingDepth
            && (container.ValueKind == JsonValueKind.Array ? container.GetArrayLength() > 0 : container.EnumerateObject().MoveNext()))
        {
            throw new PayloadTranslationException($"the payload nests deeper than {ProtocolConstants.MaxNestingDepth} levels");
        }
    }

    private static void WriteObject(ref MessagePackWriter writer, JsonElement value, int depth)
    {
        // A repeated key keeps its last value; counting first keeps the common case (no repeats) allocation-light.
        var count = 0;
        HashSet<string>? seen = null;
        List<JsonProperty>? kept = null;
        foreach (var property in value.EnumerateObject())
        {
            count++;
            seen ??= new HashSet<string>(StringComparer.Ordinal);
            if (!seen.Add(CheckedName(property)))
            {
                kept = LastOfEachName(value);
                break;
            }
        }

        if (kept is null)
        {
            writer.WriteMapHeader(count);
            foreach (var property in value.EnumerateObject())
            {
                writer.Write(CheckedName(property));
                Write(ref writer, property.Value, depth + 1);
            }

            return;
        }

        writer.WriteMapHeader(kept.Count);
        foreach (var property in kept)
        {
            writer.Write(CheckedName(property));
            Write(ref writer, property.Value, depth + 1);
        }
    }

    private static List<JsonProperty> LastOfEachName(JsonElement value)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        var all = value.EnumerateObject().ToList();
        for (var i = 0; i < all.Count; i++)
        {
            last[all[i].Name] = i;
        }

        return [.. all.Where((property, index) => last[property.Name] == index)];
    }

    private static string CheckedName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw new PayloadTranslationException("an object key is not valid Unicode (a lone surrogate escape)");
        }
    }

    private static string ReadString(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // "\ud800" is valid JSON but no Unicode string: MessagePack str must be UTF-8.
            throw new PayloadTranslationException("a string is not valid Unicode (a lone surrogate escape)");
        }
    }

    private static void WriteNumber(ref MessagePackWriter writer, JsonElement value)
    {
        if (value.TryGetInt64(out var signed))
        {
            writer.Write(signed);
            return;
        }

        if (value.TryGetUInt64(out var unsigned))
        {
            writer.Write(unsigned);
            return;
        }

        var raw = value.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            throw new PayloadTranslationException($"integer {Shorten(raw)} is outside the int64 and uint64 ranges");
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new PayloadTranslationException($"number {Shorten(raw)} is outside the float64 range");
        }

        writer.Write(number);
    }

    private static string Shorten(string raw) => raw.Length <= 32 ? raw : string.Concat(raw.AsSpan(0, 29), "...");
}
