using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Syslog;

public sealed class DeckyMutatedEventValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("decky 01")]
    [InlineData("decky.01")]
    [InlineData("-decky")]
    [InlineData("_decky")]
    [InlineData("decky]")]
    [InlineData("décky")]
    [InlineData("decky\n01")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Decky_Invalid_ThrowsNamingDecky(string decky)
    {
        var ex = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, decky, [], ["ssh"], MutationTrigger.Creation));
        Assert.Equal("decky", ex.ParamName);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("decky_01-B")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Decky_Valid_IsAccepted(string decky)
        => Assert.Equal(decky, new DeckyMutatedEvent(Samples.Timestamp, decky, [], ["ssh"], MutationTrigger.Creation).Decky);

    [Theory]
    [InlineData("ssh,http")]
    [InlineData("ssh http")]
    [InlineData("")]
    [InlineData("ssh\"")]
    [InlineData("ssh\\")]
    [InlineData("ssh]")]
    [InlineData("a=b")]
    [InlineData("ssh\t")]
    [InlineData("ssh\0")]
    [InlineData("sshé")]
    [InlineData("s2345678901234567890123456789012345678901234567890123456789012345")]
    public void Service_Invalid_ThrowsNamingTheList(string service)
    {
        var oldEx = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, "d", [service], ["ok"], MutationTrigger.Operator));
        var newEx = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, "d", ["ok"], [service], MutationTrigger.Operator));
        Assert.Equal("oldServices", oldEx.ParamName);
        Assert.Equal("newServices", newEx.ParamName);
    }

    [Fact]
    public void ServiceSet_OfMoreThan256_ThrowsNamingTheList_256AreAccepted()
    {
        // Bounded so every valid event is a line `decnet syslog parse` reads (docs/mutation-events.md, "CLI").
        var most = Enumerable.Range(0, 256).Select(i => $"s{i}").ToArray();
        string[] tooMany = [.. most, "one-more"];

        var oldEx = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, "d", tooMany, ["ok"], MutationTrigger.Operator));
        var newEx = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, "d", ["ok"], tooMany, MutationTrigger.Operator));
        Assert.Equal("oldServices", oldEx.ParamName);
        Assert.Equal("newServices", newEx.ParamName);
        Assert.Contains("257 services; the limit is 256", newEx.Message, StringComparison.Ordinal);
        Assert.Equal(256, new DeckyMutatedEvent(Samples.Timestamp, "d", most, most, MutationTrigger.Operator).NewServices.Count);
    }

    [Fact]
    public void Service_Duplicate_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DeckyMutatedEvent(Samples.Timestamp, "d", ["ssh", "ssh"], [], MutationTrigger.Retirement));
        Assert.Equal("oldServices", ex.ParamName);
    }

    [Theory]
    [InlineData("alice\r\nforged")]
    [InlineData("alice\nx")]
    [InlineData("alice\rx")]
    [InlineData("al\0ice")]
    [InlineData("al\u007fice")]
    [InlineData("al\u0085ice")]
    [InlineData("al\u2028ice")]
    public void Actor_ControlOrLineBreak_ThrowsNamingActor(string actor)
    {
        var ex = Assert.Throws<ArgumentException>(() => Samples.Event(actor: actor));
        Assert.Equal("actor", ex.ParamName);
    }

    [Fact]
    public void Actor_LoneSurrogate_Throws()
    {
        var actor = "al" + (char)0xD800 + "ice";
        Assert.Equal("actor", Assert.Throws<ArgumentException>(() => Samples.Event(actor: actor)).ParamName);
    }

    [Theory]
    [InlineData("]\" forged=\"x")]
    [InlineData("\\")]
    [InlineData("日本語 🦀 = \"quoted\"")]
    public void Actor_HostileButPrintable_IsAccepted(string actor)
        => Assert.Equal(actor, Samples.Event(actor: actor).Actor);

    [Fact]
    public void Creation_RequiresEmptyOld_RetirementRequiresEmptyNew()
    {
        var creation = Assert.Throws<ArgumentException>(() => Samples.Event(MutationTrigger.Creation, oldServices: ["ssh"], newServices: ["http"]));
        var retirement = Assert.Throws<ArgumentException>(() => Samples.Event(MutationTrigger.Retirement, oldServices: ["ssh"], newServices: ["http"]));
        Assert.Equal("oldServices", creation.ParamName);
        Assert.Equal("newServices", retirement.ParamName);

        // The symmetric cases are fine.
        Assert.Empty(Samples.Event(MutationTrigger.Creation, oldServices: [], newServices: ["http"]).OldServices);
        Assert.Empty(Samples.Event(MutationTrigger.Retirement, oldServices: ["ssh"], newServices: []).NewServices);
    }

    [Fact]
    public void Trigger_Undefined_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Samples.Event((MutationTrigger)42));
        Assert.Equal("trigger", ex.ParamName);
    }
}
