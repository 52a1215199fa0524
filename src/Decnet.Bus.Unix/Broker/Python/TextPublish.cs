using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using MessagePack;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Turns a Python client's PUB body into this protocol's PUB tail <c>type, id, ts, payload</c>. As the Python broker
/// does, only <c>payload</c> and <c>type</c> are read (a missing or false-ish one is <c>{}</c> or <c>""</c>); the
/// broker draws a new id and timestamp (docs/text-protocol.md).
/// </summary>
internal static class TextPublish
{
    /// <summary>
    /// Writes the tail for a PUB <paramref name="body"/> into <paramref name="tail"/>; returns why the publish has no
    /// MessagePack form (it is dropped and counted), or null. An empty body publishes <c>{}</c> (docs/text-protocol.md §3).
    /// </summary>
    /// <exception cref="ProtocolException">The body is not JSON, or not an object: the connection ends.</exception>
    public static string? TryWriteTail(ReadOnlySequence<byte> body, double timestamp, PooledBufferWriter tail)
    {
        if (body.IsEmpty)
        {
            return WriteTail(default, timestamp, tail);
        }

        using var document = ParseBody(body, out var untranslatable);
        return untranslatable ?? WriteTail(document!.RootElement, timestamp, tail);
    }

    /// <summary>
    /// Why a PUB of <paramref name="topicLength"/> ASCII bytes and a <paramref name="tailLength"/>-byte tail has no
    /// MessagePack form: its frame body would exceed <paramref name="maxFrame"/>, which the broker holds a MessagePack
    /// client's PUB to (ERR 2). JSON grows into MessagePack (<c>0.5</c> is 3 bytes, a float64 9), so the text line
    /// limit does not bound it, and subscribers are told to expect EVTs no larger than that limit allows. Null when
    /// it fits.
    /// </summary>
    public static string? DescribeOversizedPub(int topicLength, int tailLength, int maxFrame)
    {
        // [3, topic, type, id, ts, payload]: a fixarray header, the kind, the topic str with its header, the tail.
        var topicHeader = topicLength switch
        {
            < 32 => 1,
            < 256 => 2,
            < 65536 => 3,
            _ => 5,
        };
        var length = 2L + topicHeader + topicLength + tailLength;
        return length > maxFrame
            ? $"its MessagePack PUB would be {length} bytes, over the broker's frame limit of {maxFrame} (DECNET_BUS_MAX_FRAME_BYTES)"
            : null;
    }

    /// <summary>
    /// Parses a PUB body, which must be a JSON object (as the Python broker requires). Returns null with
    /// <paramref name="untranslatable"/> set when the body is valid JSON whose payload nests deeper than a payload may: found
    /// by a forward scan, before any tree is built, so a hostile deep payload costs one pass and no exception.
    /// </summary>
    /// <exception cref="ProtocolException">The body is not JSON, or not an object: the connection ends.</exception>
    private static JsonDocument? ParseBody(ReadOnlySequence<byte> body, out string? untranslatable)
    {
        untranslatable = null;

        // JSON text is UTF-8, and the Python broker cannot decode a body that is not: malformed, as invalid JSON is.
        // System.Text.Json checks only the structure, so a stray byte in a string would otherwise pass.
        if (!IsUtf8(body))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "body is not UTF-8");
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = JsonToMessagePack.MaxJsonDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, $"body must be a JSON object, got {reader.TokenType}");
            }

            // Only the payload's nesting matters: the rest of the body is ignored (docs/text-protocol.md §3), and of a
            // repeated payload the last is published. A token at reader depth 66 sits inside a container at payload
            // level 64, which may only be empty (docs/wire-protocol.md §6).
            var inPayload = false;
            var tooDeep = false;
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    inPayload = reader.ValueTextEquals("payload"u8);
                    tooDeep &= !inPayload;
                }
                else
                {
                    tooDeep |= inPayload && reader.CurrentDepth > ProtocolConstants.MaxNestingDepth + 1;
                }
            }

            if (tooDeep)
            {
                untranslatable = $"the payload nests deeper than {ProtocolConstants.MaxNestingDepth} levels";
                return null;
            }

            return JsonToMessagePack.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, $"body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The tail for a parsed body; <c>default</c> (no body) reads as <c>{}</c>.</summary>
    private static string? WriteTail(JsonElement body, double timestamp, PooledBufferWriter tail)
    {
        var writer = new MessagePackWriter(tail);
        try
        {
            var (t, p) = FindTypeAndPayload(body);
            var type = IsTruthy(t) ? t : default;
            if (type.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String))
            {
                return $"its type is a JSON {type.ValueKind.ToString().ToLowerInvariant()}, not a string";
            }

            var typeText = type.ValueKind == JsonValueKind.String ? type.GetString()! : string.Empty;
            if (UntrustedText.IndexOfControl(typeText) >= 0)
            {
                return $"its type \"{UntrustedText.Excerpt(typeText)}\" contains a control character";
            }

            var payload = IsTruthy(p) ? p : default;
            if (payload.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
            {
                return $"its payload is a JSON {payload.ValueKind.ToString().ToLowerInvariant()}, not an object (this bus carries maps)";
            }

            writer.Write(typeText);
            writer.Write(EventId.NewId());
            writer.Write(timestamp);
            if (payload.ValueKind == JsonValueKind.Object)
            {
                JsonToMessagePack.Write(ref writer, payload);
            }
            else
            {
                writer.WriteMapHeader(0);
            }

            writer.Flush();
            return null;
        }
        catch (PayloadTranslationException ex)
        {
            return ex.Message;
        }
        catch (InvalidOperationException)
        {
            // The body is UTF-8 (checked first), so only an escape can make a string that is not Unicode.
            return "its type is not valid Unicode (a lone surrogate escape)";
        }
    }

    /// <summary>
    /// The body's last <c>type</c> and last <c>payload</c> (undefined when absent; <c>default</c>, no body, has none).
    /// Names are compared on their raw JSON text, never decoded: TryGetProperty decodes every escaped name it passes
    /// and throws on a lone surrogate (<c>"\ud800"</c>), which in a field the broker ignores must not drop the publish.
    /// </summary>
    private static (JsonElement Type, JsonElement Payload) FindTypeAndPayload(JsonElement body)
    {
        JsonElement type = default, payload = default;
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (type, payload);
        }

        foreach (var property in body.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (AsciiNameEquals(raw, "type"u8))
            {
                type = property.Value;
            }
            else if (AsciiNameEquals(raw, "payload"u8))
            {
                payload = property.Value;
            }
        }

        return (type, payload);
    }

    /// <summary>
    /// Whether a raw (still escaped) JSON name reads as the ASCII letters <paramref name="name"/>; only a <c>\u</c>
    /// escape of an ASCII character can stand for one of them, so anything else differs without being decoded.
    /// </summary>
    private static bool AsciiNameEquals(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> name)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return raw.SequenceEqual(name);
        }

        var i = 0;
        foreach (var expected in name)
        {
            if (i >= raw.Length)
            {
                return false;
            }

            if (raw[i] != '\\')
            {
                if (raw[i++] != expected)
                {
                    return false;
                }

                continue;
            }

            // The body parsed as JSON, so a backslash starts a valid escape: \uXXXX is the only one making a letter.
            if (i + 6 > raw.Length || raw[i + 1] != 'u'
                || !Utf8Parser.TryParse(raw.Slice(i + 2, 4), out ushort code, out var used, 'X') || used != 4
                || code != expected)
            {
                return false;
            }

            i += 6;
        }

        return i == raw.Length;
    }

    private static bool IsUtf8(in ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment)
        {
            return Utf8.IsValid(body.FirstSpan);
        }

        // A character may straddle two segments: checked whole (a body is at most 1 MiB, and JsonDocument copies a
        // body in segments whole too).
        var whole = ArrayPool<byte>.Shared.Rent((int)body.Length);
        body.CopyTo(whole);
        var valid = Utf8.IsValid(whole.AsSpan(0, (int)body.Length));
        ArrayPool<byte>.Shared.Return(whole);
        return valid;
    }

    /// <summary>Python's truth test on a JSON value: null, false, 0, "", [] and {} are false.</summary>
    private static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => false,
        JsonValueKind.Number => !(value.TryGetDouble(out var n) && n == 0),
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        _ => true,
    };
}
