using System.Text;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Syslog;

public sealed class DeckyMutatedLineFormatterTests
{
    internal const string Header = "<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\"";

    [Fact]
    public void Format_DesignExample_MatchesByteForByte()
    {
        var line = DeckyMutatedLineFormatter.Format(Samples.Event());

        Assert.Equal(
            "<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"ssh,http\" new_services=\"http,smb\" trigger=\"operator\" actor=\"alice\"]\n",
            line);
        Assert.Equal(line, Encoding.ASCII.GetString(Encoding.UTF8.GetBytes(line)));
    }

    [Theory]
    [InlineData(MutationTrigger.Creation, "", "http,smb", "creation")]
    [InlineData(MutationTrigger.Retirement, "ssh,http", "", "retirement")]
    [InlineData(MutationTrigger.Scheduled, "ssh,http", "http,smb", "scheduled")]
    [InlineData(MutationTrigger.Operator, "ssh,http", "http,smb", "operator")]
    [InlineData(MutationTrigger.Behavioral, "ssh,http", "http,smb", "behavioral")]
    [InlineData(MutationTrigger.Healer, "ssh,http", "http,smb", "healer")]
    [InlineData(MutationTrigger.Federation, "ssh,http", "http,smb", "federation")]
    public void Format_EachTrigger_WithAndWithoutActor_ExactBytes(MutationTrigger trigger, string oldJoined, string newJoined, string wire)
    {
        var oldServices = oldJoined.Length == 0 ? Array.Empty<string>() : oldJoined.Split(',');
        var newServices = newJoined.Length == 0 ? Array.Empty<string>() : newJoined.Split(',');
        var body = $"{Header} old_services=\"{oldJoined}\" new_services=\"{newJoined}\" trigger=\"{wire}\"";

        Assert.Equal(body + " actor=\"alice\"]\n", DeckyMutatedLineFormatter.Format(Samples.Event(trigger, "alice", oldServices, newServices)));
        Assert.Equal(body + "]\n", DeckyMutatedLineFormatter.Format(Samples.Event(trigger, null, oldServices, newServices)));
        Assert.Equal(body + "]\n", DeckyMutatedLineFormatter.Format(Samples.Event(trigger, string.Empty, oldServices, newServices)));
    }

    [Theory]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a]b", "a\\]b")]
    [InlineData("\\\"]", "\\\\\\\"\\]")]
    [InlineData("é = [ok]", "é = [ok\\]")]
    public void Format_ActorNeedingEscape_IsEscaped(string actor, string escaped)
    {
        var line = DeckyMutatedLineFormatter.Format(Samples.Event(actor: actor));

        Assert.EndsWith($" trigger=\"operator\" actor=\"{escaped}\"]\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTimestamp_AnyOffsetAndPrecision_IsUtcWithSixDigits()
    {
        var local = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(7);

        var line = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(local, "d1", [], ["a"], MutationTrigger.Creation));

        Assert.StartsWith("<134>1 2026-01-02T01:04:05.000000+00:00 d1 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Triggers_WireStrings_AreExactAndParseBack()
    {
        Assert.Equal(
            ["creation", "retirement", "scheduled", "operator", "behavioral", "healer", "federation"],
            MutationTriggers.All.Select(t => t.ToWireString()));
        foreach (var trigger in MutationTriggers.All)
        {
            Assert.Equal(trigger, MutationTriggers.Parse(trigger.ToWireString()));
        }

        Assert.False(MutationTriggers.TryParse("Operator", out _));
        Assert.Throws<ArgumentException>(() => MutationTriggers.Parse("reboot"));
    }
}
