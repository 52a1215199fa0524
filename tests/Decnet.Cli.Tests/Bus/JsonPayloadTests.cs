using System.Text;
using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Codec;
using Decnet.Cli.Bus;

namespace Decnet.Cli.Tests.Bus;

public sealed class JsonPayloadTests
{
    [Fact]
    public void Object_with_nested_values_survives_json_to_messagepack_to_json()
    {
        const string json = """{"decky":"decky-01","n":42,"ratio":0.5,"ok":true,"none":null,"tags":["a","b"],"inner":{"x":-1}}""";

        var map = JsonPayload.ParseObject(json);
        var evt = new BusEvent("decky.decky-01.mutation", BusCodec.SerializePayload(map), "mutation", null, 1.5);
        var line = EventPrinter.ToJsonLine(evt);

        using var doc = JsonDocument.Parse(line);
        var payload = doc.RootElement.GetProperty("payload");
        Assert.Equal(JsonDocument.Parse(json).RootElement.ToString(), payload.ToString());
        Assert.Equal("decky.decky-01.mutation", doc.RootElement.GetProperty("topic").GetString());
        Assert.Equal("mutation", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(evt.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal(1.5, doc.RootElement.GetProperty("ts").GetDouble());
    }

    [Theory]
    [InlineData("[1,2]", "array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42", "number")]
    public void Non_object_payload_is_rejected_with_its_kind(string json, string kind)
    {
        var ex = Assert.Throws<FormatException>(() => JsonPayload.ParseObject(json));
        Assert.Contains(kind, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integer_above_long_max_stays_an_unsigned_integer()
    {
        // As the text protocol translates it (docs/text-protocol.md §2): uint64, not a float64 that loses digits.
        var map = JsonPayload.ParseObject("""{"n":18446744073709551615,"m":9223372036854775808}""");

        Assert.Equal(ulong.MaxValue, Assert.IsType<ulong>(map["n"]));
        Assert.Equal(9223372036854775808UL, Assert.IsType<ulong>(map["m"]));
    }

    [Fact]
    public void Invalid_json_is_rejected_with_a_clear_message()
    {
        var ex = Assert.Throws<FormatException>(() => JsonPayload.ParseObject("{\"a\":"));
        Assert.StartsWith("payload is not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undecodable_payload_prints_an_error_field_instead_of_failing()
    {
        var evt = new BusEvent("a.b", Encoding.ASCII.GetBytes("\x92\x01"), null, null, 0);

        using var doc = JsonDocument.Parse(EventPrinter.ToJsonLine(evt));

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("payload").ValueKind);
        Assert.Contains("undecodable", doc.RootElement.GetProperty("payload_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_line_shows_topic_type_and_payload()
    {
        var evt = new BusEvent("system.bus.health", BusCodec.SerializePayload(new Dictionary<string, object?> { ["pid"] = 7 }), null, null, 0);

        var line = EventPrinter.ToTextLine(evt);

        Assert.EndsWith(" system.bus.health - {\"pid\":7}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Publisher_credentials_are_printed_when_the_broker_stamped_them()
    {
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, 0, publisher: new PeerCredentials(10, 20, 30));

        using var doc = JsonDocument.Parse(EventPrinter.ToJsonLine(evt));

        Assert.Equal(10, doc.RootElement.GetProperty("publisher").GetProperty("pid").GetInt32());
        Assert.Equal(20, doc.RootElement.GetProperty("publisher").GetProperty("uid").GetInt32());
    }
}
