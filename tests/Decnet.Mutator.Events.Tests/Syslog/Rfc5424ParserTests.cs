using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Syslog;

public sealed class Rfc5424ParserTests
{
    [Fact]
    public void Parse_FullMessage_ReadsEveryField()
    {
        const string Line = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 8710 ID47 "
            + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\" note=\"a\\]b\\\"c\\\\d\\x\"] \uFEFFAn application event";

        var result = Rfc5424Parser.Parse(Line);

        Assert.True(result.Success, result.Error);
        var m = result.Message;
        Assert.Equal((165, 20, 5, 1), (m.Priority, m.Facility, m.Severity, m.Version));
        Assert.Equal(new DateTimeOffset(2003, 10, 11, 22, 14, 15, 3, TimeSpan.Zero), m.Timestamp);
        Assert.Equal(("mymachine.example.com", "evntslog", "8710", "ID47"), (m.Hostname, m.AppName, m.ProcId, m.MessageId));
        Assert.Equal(["exampleSDID@32473", "examplePriority@32473"], m.StructuredData.Select(e => e.Id));
        Assert.Equal(["iut", "eventSource", "eventID"], m.StructuredData[0].Parameters.Select(p => p.Key));
        Assert.Equal("a]b\"c\\d\\x", m.StructuredData[1].Parameters[1].Value);
        Assert.Equal("An application event", m.Message);
    }

    [Fact]
    public void Parse_NilValuesEverywhere_AreNull()
    {
        var result = Rfc5424Parser.Parse("<0>1 - - - - - -");

        Assert.True(result.Success, result.Error);
        Assert.Null(result.Message.Timestamp);
        Assert.Null(result.Message.Hostname);
        Assert.Empty(result.Message.StructuredData);
        Assert.Null(result.Message.Message);
    }

    [Fact]
    public void Parse_OffsetTimestampWithoutFraction_KeepsOffset()
    {
        var result = Rfc5424Parser.Parse("<34>1 2003-08-24T05:14:15-07:00 h a p m - hello world");

        Assert.True(result.Success, result.Error);
        Assert.Equal(new DateTimeOffset(2003, 8, 24, 5, 14, 15, TimeSpan.FromHours(-7)), result.Message.Timestamp);
        Assert.Equal("hello world", result.Message.Message);
    }

    [Theory]
    [InlineData("134>1 - - - - - -", "PRI")]
    [InlineData("<192>1 - - - - - -", "191")]
    [InlineData("<1>0 - - - - - -", "VERSION")]
    [InlineData("<1>1 2026-13-01T00:00:00Z h a p m -", "TIMESTAMP")]
    [InlineData("<1>1 2026-01-01T00:00:00.1234567Z h a p m -", "TIMESTAMP")]
    [InlineData("<1>1 2026-01-01T00:00:00 h a p m -", "TIMESTAMP")]
    [InlineData("<1>1 - h\u00e9 a p m -", "HOSTNAME")]
    [InlineData("<1>1 - h a p m", "MSGID")]
    [InlineData("<1>1 - h a p m x", "STRUCTURED-DATA")]
    [InlineData("<1>1 - h a p m [id k=\"v]", "unescaped ']'")]
    [InlineData("<1>1 - h a p m [id k=\"v\"", "must end")]
    [InlineData("<1>1 - h a p m [id k=v]", "'\"'")]
    [InlineData("<1>1 - h a p m [id][id]", "twice")]
    [InlineData("<1>1 - h a p m [id k=\"v\"]x", "space")]
    [InlineData("<1>1 - h a p m - one\ntwo", "line break")]
    public void Parse_Malformed_FailsWithReason(string line, string reasonFragment)
    {
        var result = Rfc5424Parser.Parse(line);

        Assert.False(result.Success);
        Assert.Contains(reasonFragment, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_DeckyLine_ReturnsEvent()
    {
        var expected = Samples.Event(actor: "bob");

        Assert.True(DeckyMutatedEvent.TryParse(DeckyMutatedLineFormatter.Format(expected), out var actual, out var reason), reason);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 other - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"\" new_services=\"a\" trigger=\"creation\"]", "APP-NAME")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator 12 decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"\" new_services=\"a\" trigger=\"creation\"]", "PROCID")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-02 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"\" new_services=\"a\" trigger=\"creation\"]", "HOSTNAME")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"x\" new_services=\"a\" trigger=\"creation\"]", "oldServices")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"\" new_services=\"a\" trigger=\"reboot\"]", "trigger")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" new_services=\"a\" trigger=\"creation\"]", "old_services")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"\" new_services=\"a,a\" trigger=\"creation\"]", "twice")]
    [InlineData("<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [other@1 x=\"1\"]", "relay@55555")]
    public void TryParse_NotAValidDeckyLine_SaysWhy(string line, string reasonFragment)
    {
        Assert.False(DeckyMutatedEvent.TryParse(line, out var parsed, out var reason));
        Assert.Null(parsed);
        Assert.Contains(reasonFragment, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SplittingOnFirstBracket_BreaksOnActorWithBracket_ParserDoesNot()
    {
        var line = DeckyMutatedLineFormatter.Format(Samples.Event(actor: "eve] [relay@55555 decky=\"x\""));

        // The naive correlator: take everything after the first '[' up to the first ']' as the SD-ELEMENT.
        var open = line.IndexOf('[', StringComparison.Ordinal);
        var naive = line[(open + 1)..line.IndexOf(']', open)];
        var naiveActor = naive[(naive.IndexOf("actor=\"", StringComparison.Ordinal) + 7)..];
        Assert.NotEqual("eve] [relay@55555 decky=\"x\"", naiveActor);
        Assert.Equal("eve\\", naiveActor);

        Assert.True(DeckyMutatedEvent.TryParse(line, out var parsed, out var reason), reason);
        Assert.Equal("eve] [relay@55555 decky=\"x\"", parsed.Actor);
    }

    [Fact]
    public void Parse_EveryProperPrefixOfALine_IsTruncated_AndReadAsATornFragment()
    {
        var line = DeckyMutatedLineFormatter.Format(Samples.Event(actor: "peer \"b\\east\" [eu-2] é")).TrimEnd('\n');

        for (var length = 1; length < line.Length; length++)
        {
            var result = Rfc5424Parser.Parse(line[..length]);

            Assert.False(result.Success, $"prefix of {length}");
            Assert.True(result.Truncated, $"prefix of {length}: {result.Error}");
            Assert.False(DeckyMutatedEvent.TryParse(line[..length], out _, out var reason));
            Assert.StartsWith($"torn fragment ({System.Text.Encoding.UTF8.GetByteCount(line[..length])} bytes", reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("not syslog at all")]
    [InlineData("<134>1 2026-11-22T10:00:00Z h a - m [x@1 a=\"b\"]]")]
    [InlineData("<999>1 - - - - - -")]
    [InlineData("")]
    public void Parse_InvalidButNotAPrefix_IsNotTruncated(string line)
    {
        var result = Rfc5424Parser.Parse(line);

        Assert.False(result.Success);
        Assert.False(result.Truncated, result.Error);
    }
}
