using System.Text.Json;

namespace Decnet.Cli.Bus;

/// <summary>Converts between JSON text and the string-keyed maps the bus carries.</summary>
internal static class JsonPayload
{
    /// <summary>
    /// Parses a JSON object into a dictionary MessagePack serializes as a map: integers stay integers (uint64 above <see cref="long.MaxValue"/>), other numbers
    /// become doubles, arrays become <c>object?[]</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not JSON, its top level is not an object, a string holds a lone
    /// surrogate or a number is too large to be finite.</exception>
    public static Dictionary<string, object?> ParseObject(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"payload is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"payload must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }

            try
            {
                return ToDictionary(document.RootElement);
            }
            catch (InvalidOperationException ex)
            {
                // A lone surrogate escape ("\ud800") is valid JSON syntax but not a string .NET or MessagePack can carry.
                throw new FormatException($"payload is not valid JSON: {ex.Message}", ex);
            }
        }
    }

    private static double Finite(JsonElement element)
    {
        // 1e999 parses as Infinity; a subscriber can print it (docs/operations.md, "How sub prints what it receives"),
        // but no publisher should send it.
        var value = element.GetDouble();
        return double.IsFinite(value) ? value : throw new FormatException($"payload has a number that is not finite: {element.GetRawText()}");
    }

    private static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = ToValue(property.Value);
        }

        return result;
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when element.TryGetInt64(out var l) => l,
        // Above long.MaxValue as the text protocol does (docs/text-protocol.md §2): uint64, not a rounded double.
        JsonValueKind.Number when element.TryGetUInt64(out var u) => u,
        JsonValueKind.Number => Finite(element),
        _ => null,
    };
}
