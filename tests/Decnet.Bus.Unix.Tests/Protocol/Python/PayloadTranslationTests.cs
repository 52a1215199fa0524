using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Protocol.Python;

public sealed class PayloadTranslationTests
{
    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("""{"s":"text","n":null,"t":true,"f":false}""")]
    [InlineData("""{"list":[1,"two",[3],{"four":4}],"empty":{},"none":[]}""")]
    [InlineData("""{"min":-9223372036854775808,"max":9223372036854775807,"umax":18446744073709551615}""")]
    [InlineData("""{"pi":3.14159,"small":-1.5E-300,"big":1E+300}""")]
    [InlineData("""{"unicode":"café 中文 🚀","escaped":"\"\\\n"}""")]
    public void JsonToMessagePackToJson_KeepsTheValue(string json)
    {
        var packed = FromJson(json);
        var back = ToJson(packed);

        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(back).RootElement), back);
    }

    [Fact]
    public void Integers_KeepTheirMessagePackTypes()
    {
        var packed = FromJson("""{"neg":-1,"big":18446744073709551615,"f":1.0}""");
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(packed);

        Assert.Equal(-1L, Convert.ToInt64(map["neg"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ulong.MaxValue, map["big"]);
        Assert.Equal(1.0, map["f"]);
    }

    [Fact]
    public void RepeatedKey_KeepsItsLastValue_AsPythonDoes()
    {
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(FromJson("""{"a":1,"b":2,"a":3}"""));

        Assert.Equal(2, map.Count);
        Assert.Equal(3, Convert.ToInt32(map["a"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("""{"a":18446744073709551616}""", "outside the int64 and uint64 ranges")]
    [InlineData("""{"a":-9223372036854775809}""", "outside the int64 and uint64 ranges")]
    [InlineData("""{"a":1e999}""", "outside the float64 range")]
    [InlineData("""{"a":"\ud800"}""", "not valid Unicode")]
    [InlineData("""{"\udc00":1}""", "not valid Unicode")]
    public void UnrepresentableJson_IsATranslationError(string json, string reason)
    {
        var error = Assert.Throws<PayloadTranslationException>(() => FromJson(json));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":NaN}""")]
    [InlineData("""{"a":Infinity}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("not json")]
    public void InvalidJson_IsAJsonException(string json)
        => Assert.ThrowsAny<JsonException>(() => JsonToMessagePack.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json))));

    [Fact]
    public void TheDeepestPayloadTheMessagePackBrokerAccepts_TranslatesBothWays_AndOneLevelMoreDoesNot()
    {
        // The payload map at level 0 and arrays at levels 1 to 64, the one at 64 empty: the deepest payload
        // docs/wire-protocol.md §6 lets through. A value inside the innermost array is one level too deep.
        var deepest = NestedMessagePack(65, innermost: []);
        var deeper = NestedMessagePack(65, innermost: [0xC0]);
        PublishTailValidator.Validate(Tail(deepest));
        Assert.Throws<ProtocolException>(() => PublishTailValidator.Validate(Tail(deeper)));

        Assert.Equal(Nested(65), ToJson(deepest));
        Assert.Throws<PayloadTranslationException>(() => ToJson(deeper));

        Assert.Equal(deepest, FromJson(Nested(65)));
        Assert.Throws<PayloadTranslationException>(() => FromJson(Nested(65, innermost: "null")));
        Assert.Throws<PayloadTranslationException>(() => FromJson(Nested(66)));
    }

    [Fact]
    public void MessagePackOnlyValues_HaveTheirDocumentedJsonForm()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(6);
        writer.Write("nan");
        writer.Write(double.NaN);
        writer.Write("inf");
        writer.Write(float.NegativeInfinity);
        writer.Write("bin");
        writer.Write(new byte[] { 1, 2, 255 });
        writer.Write("ext");
        writer.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 9, 8 }));
        writer.Write("u64");
        writer.Write(ulong.MaxValue);
        writer.Write("badutf8");
        writer.WriteString(new byte[] { 0x61, 0xFF });
        writer.Flush();

        var json = ToJson(buffer.WrittenMemory.ToArray());

        Assert.Equal(
            """{"nan":null,"inf":null,"bin":{"$bin":"AQL/"},"ext":{"$ext":{"type":5,"data":"CQg="}},"u64":18446744073709551615,"badutf8":"a""" + "\uFFFD\"}",
            json);
    }

    [Fact]
    public void ALongString_WrittenInSegments_IsTheSameJsonAsWrittenWhole()
    {
        // Over 4,096 bytes of UTF-8, so segment boundaries fall inside two-, three- and four-byte characters and escapes.
        var text = string.Concat(Enumerable.Repeat("é\u0001中🚀\"a", 1000));
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write(text);
        writer.Write(text);
        writer.Flush();

        var expected = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(expected, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString(text, text);
            json.WriteEndObject();
        }

        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), ToJson(buffer.WrittenMemory.ToArray()));
    }

    [Fact]
    public void NonStringMapKey_IsATranslationError()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write(1);
        writer.Write(2);
        writer.Flush();

        Assert.Throws<PayloadTranslationException>(() => ToJson(buffer.WrittenMemory.ToArray()));
    }

    private static byte[] FromJson(string json)
    {
        using var document = JsonToMessagePack.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        JsonToMessagePack.Write(ref writer, document.RootElement);
        writer.Flush();
        return buffer.WrittenMemory.ToArray();
    }

    private static string ToJson(byte[] messagePack)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var reader = new MessagePackReader(messagePack);
            MessagePackToJson.Write(ref reader, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><c>{"a":[[…[innermost]…]]}</c>: <paramref name="levels"/> containers, the object the first.</summary>
    private static string Nested(int levels, string innermost = "")
        => "{\"a\":" + new string('[', levels - 1) + innermost + new string(']', levels - 1) + "}";

    /// <summary>The MessagePack of <see cref="Nested"/>: a map, then arrays of one element, the last holding <paramref name="innermost"/>.</summary>
    private static byte[] NestedMessagePack(int levels, byte[] innermost)
    {
        var bytes = new List<byte> { 0x81, 0xA1, (byte)'a' };
        bytes.AddRange(Enumerable.Repeat((byte)0x91, levels - 2));
        bytes.Add((byte)(0x90 + innermost.Length));
        bytes.AddRange(innermost);
        return [.. bytes];
    }

    /// <summary>A PUB tail (type, id, ts) ending in <paramref name="payload"/>.</summary>
    private static byte[] Tail(byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write("t");
        writer.Write(new string('a', 32));
        writer.Write(1.5);
        writer.Flush();
        return [.. buffer.WrittenSpan, .. payload];
    }
}
