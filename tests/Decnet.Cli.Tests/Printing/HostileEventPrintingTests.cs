using System.Buffers;
using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Codec;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;
using MessagePack;

namespace Decnet.Cli.Tests.Printing;

/// <summary>
/// What <c>decnet sub</c> prints for events a hostile or broken publisher sends (docs/reliability.md, "Hostile input
/// II", items 3 and 8): one line per event, no character that moves the cursor or reorders text, never an exception.
/// </summary>
public sealed class HostileEventPrintingTests
{
    private const string _forged = "mutation\n\u001b[1A\u001b[2K12:00:00.000000 decky.decky-01.mutation mutation {\"decky\":\"FORGED\"}";

    [Fact]
    public void A_type_with_lf_and_ansi_escapes_prints_as_one_escaped_text_line()
    {
        var evt = new BusEvent("decky.decky-02.mutation", BusCodec.EmptyMap, _forged, null, 1_700_000_000);

        var line = EventPrinter.ToTextLine(evt);

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.Contains(@"mutation\u000A\u001B[1A\u001B[2K12:00:00.000000 decky.decky-01.mutation", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Bidi_and_zero_width_characters_are_escaped_in_both_modes_and_json_keeps_the_values()
    {
        var payload = BusCodec.SerializePayload(new Dictionary<string, object?> { ["na\u200Bme"] = "\u202Egnp.exe\u0085\u009b2J\u00ad" });
        var evt = new BusEvent("decky.\u200Bdecky-01.mutation", payload, "\u202Eapplied", "id\u2028x", 1_700_000_000);

        var text = EventPrinter.ToTextLine(evt);
        var json = EventPrinter.ToJsonLine(evt);

        Assert.False(UntrustedText.NeedsEscaping(text), text);
        Assert.False(UntrustedText.NeedsEscaping(json), json);
        Assert.Contains(@"decky.\u200Bdecky-01.mutation \u202Eapplied", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(evt.Topic, doc.RootElement.GetProperty("topic").GetString());
        Assert.Equal(evt.Type, doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(evt.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal("\u202Egnp.exe\u0085\u009b2J\u00ad", doc.RootElement.GetProperty("payload").GetProperty("na\u200Bme").GetString());
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Non_finite_floats_print_as_named_strings(double value, string expected)
    {
        var payload = Payload((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.Write("f64");
            w.Write(value);
            w.Write("f32");
            w.Write((float)value);
        });
        var evt = new BusEvent("a.b", payload, "t", null, 0);

        using var doc = JsonDocument.Parse(EventPrinter.ToJsonLine(evt));
        var text = EventPrinter.ToTextLine(evt);

        Assert.Equal(expected, doc.RootElement.GetProperty("payload").GetProperty("f64").GetString());
        Assert.Equal(expected, doc.RootElement.GetProperty("payload").GetProperty("f32").GetString());
        Assert.EndsWith($$"""{"f64":"{{expected}}","f32":"{{expected}}"}""", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "ts=NaN", "\"ts\":\"NaN\"")]
    [InlineData(double.PositiveInfinity, "ts=Infinity", "\"ts\":\"Infinity\"")]
    [InlineData(double.NegativeInfinity, "ts=-Infinity", "\"ts\":\"-Infinity\"")]
    [InlineData(1e300, "ts=1E+300", "\"ts\":1E+300")]
    [InlineData(-1e300, "ts=-1E+300", "\"ts\":-1E+300")]
    [InlineData(253_402_300_800.0, "ts=253402300800", "\"ts\":253402300800")]
    public void An_envelope_time_out_of_range_prints_as_its_raw_value(double ts, string text, string json)
    {
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, "t", null, ts);

        Assert.StartsWith(text + " a.b t {}", EventPrinter.ToTextLine(evt), StringComparison.Ordinal);
        Assert.Contains(json, EventPrinter.ToJsonLine(evt), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(EventPrinter.ToJsonLine(evt));
    }

    [Fact]
    public void Every_other_messagepack_type_has_a_documented_form()
    {
        var payload = Payload((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(9);
            w.Write("bin");
            w.Write(new byte[] { 1, 2, 3 });
            w.Write("ext");
            w.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 1, 2, 3 }));
            w.Write("time");
            w.WriteExtensionFormat(new ExtensionResult(-1, new byte[] { 0x65, 0x53, 0xF1, 0x00 }));
            w.Write("far_time");
            w.WriteExtensionFormat(new ExtensionResult(-1, new byte[] { 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }));
            w.Write("u64");
            w.Write(ulong.MaxValue);
            w.Write("i64");
            w.Write(long.MinValue);
            w.Write("bad_utf8");
            w.WriteString(new byte[] { (byte)'a', 0xFF, 0xC3 });
            w.Write("keys");
            w.WriteMapHeader(3);
            w.Write(1);
            w.Write("one");
            w.Write(true);
            w.Write("yes");
            w.WriteArrayHeader(1);
            w.Write(2);
            w.Write("list");
            w.Write("f32");
            w.Write(0.1f);
        });
        var evt = new BusEvent("a.b", payload, "t", null, 0);

        var json = EventPrinter.ToJsonLine(evt);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal(
            """{"bin":"AQID","ext":{"ext":5,"base64":"AQID"},"time":"2023-11-14T22:13:20.0000000Z","far_time":{"ext":-1,"base64":"AAAAAH//////////"},"u64":18446744073709551615,"i64":-9223372036854775808,"bad_utf8":"a\uFFFD\uFFFD","keys":{"1":"one","true":"yes","[2]":"list"},"f32":0.1}""",
            doc.RootElement.GetProperty("payload").GetRawText().Replace("\uFFFD", @"\uFFFD", StringComparison.Ordinal));
        Assert.EndsWith(doc.RootElement.GetProperty("payload").GetRawText(), EventPrinter.ToTextLine(evt), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_brokers_limit_prints_and_deeper_is_a_payload_error()
    {
        var atLimit = new BusEvent("a.b", MessagePackValues.Nested(64), "t", null, 0);
        var deeper = new BusEvent("a.b", MessagePackValues.Nested(65), "t", null, 0);

        using var printed = JsonDocument.Parse(EventPrinter.ToJsonLine(atLimit), _deep);
        using var refused = JsonDocument.Parse(EventPrinter.ToJsonLine(deeper));

        Assert.False(printed.RootElement.TryGetProperty("payload_error", out _), printed.RootElement.GetRawText());
        Assert.Equal(new string('[', 63) + "1" + new string(']', 63), printed.RootElement.GetProperty("payload").GetProperty("a").GetRawText());
        Assert.Equal(JsonValueKind.Null, refused.RootElement.GetProperty("payload").ValueKind);
        Assert.Contains("deeper than 64", refused.RootElement.GetProperty("payload_error").GetString(), StringComparison.Ordinal);
        Assert.Contains("deeper than 64", EventPrinter.ToTextLine(deeper), StringComparison.Ordinal);
    }

    // The envelope object and the payload map are two JSON levels above the payload's own 63 nested arrays.
    private static readonly JsonDocumentOptions _deep = new() { MaxDepth = 128 };

    private delegate void WriteBody(ref MessagePackWriter writer);

    private static byte[] Payload(WriteBody write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
