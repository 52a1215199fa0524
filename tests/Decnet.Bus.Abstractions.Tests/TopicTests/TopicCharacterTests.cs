using System.Globalization;
using System.Text;
using Decnet.Bus.Conformance;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Decnet.Bus.Abstractions.Tests.TopicTests;

/// <summary>Issue 12, item 4: look-alike topics. The rule in docs/Service-Bus.md, Topics.</summary>
public sealed class TopicCharacterTests
{
    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public void InvisibleCodePoint_MakesTopicAndPatternInvalid_AndNeverMatches(string kind, int codePoint)
    {
        var text = TopicSamples.Text(codePoint);
        foreach (var topic in new[] { "decky." + text + "decky-01.mutation", text, "a." + text, "a" + text + "b" })
        {
            Assert.False(Topics.IsValidTopic(topic), $"{kind}: topic accepted");
            Assert.False(Topics.IsValidPattern(topic), $"{kind}: pattern accepted");
            Assert.False(Topics.Matches(">", topic), $"{kind}: '>' matched it");
            Assert.False(Topics.Matches(topic, topic), $"{kind}: it matched itself");
        }

        Assert.False(Topics.IsValidPattern("a.*." + text + ".>"), $"{kind}: pattern with wildcards accepted");
        Assert.False(Topics.Matches("a.*." + text, "a.b." + text), kind);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public void InvisibleCodePoint_ErrorNamesTheTokenAndTheCodePoint(string kind, int codePoint)
    {
        var token = "decky" + TopicSamples.Text(codePoint) + "01";
        var topic = "decky." + token + ".mutation";

        var error = Assert.Throws<ArgumentException>(() => Topics.EnsureValidTopic(topic));

        Assert.Contains($"token 2 \"{UntrustedText.Escape(token)}\" contains", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({TopicSamples.Name(codePoint)})", error.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error.Message), $"{kind}: {error.Message}");
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public void InvisibleCodePoint_IsRefusedByTheSegmentBuilder(string kind, int codePoint)
    {
        var error = Assert.Throws<ArgumentException>(() => Topics.DeckyMutation("decky" + TopicSamples.Text(codePoint)));
        Assert.Contains(TopicSamples.Name(codePoint), error.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error.Message), kind);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Visible), MemberType = typeof(TopicSamples))]
    public void VisibleText_StaysValid(string token)
    {
        Assert.True(Topics.IsValidTopic("decky." + token + ".mutation"), token);
        Assert.True(Topics.IsValidPattern("decky." + token + ".>"), token);
        Assert.True(Topics.Matches("decky.*.mutation", "decky." + token + ".mutation"), token);
        Assert.Equal("decky." + token + ".mutation", Topics.DeckyMutation(token));
    }

    [Fact]
    public void EveryPrintableAsciiCharacter_ExceptTheWildcards_StaysValid()
    {
        for (var c = '!'; c <= '~'; c++)
        {
            // "a.b" is two tokens; only the wildcards make it invalid.
            Assert.Equal(c is not ('*' or '>'), Topics.IsValidTopic("a" + c + "b"));
        }
    }

    [Fact]
    public void EveryBmpCharacter_IsValidExactlyWhenTheRuleSaysSo()
    {
        for (var c = 0; c <= 0xFFFF; c++)
        {
            var expected = c is not ('*' or '>') && Allowed(c);
            Assert.True(expected == Topics.IsValidTopic("a" + (char)c + "b"), $"U+{c:X4}: expected valid={expected}");
        }
    }

    [Property(Arbitrary = [typeof(CodePoints)], MaxTest = 20_000)]
    public bool AnyCodePoint_IsValidExactlyWhenTheRuleSaysSo(int codePoint)
        => Topics.IsValidTopic("a." + TopicSamples.Text(codePoint) + ".b") == (codePoint is not ('.' or '*' or '>') && Allowed(codePoint));

    [Property(Arbitrary = [typeof(CodePoints)], MaxTest = 5_000)]
    public bool AnyCodePoint_PatternAndMatcherAgreeWithTopicValidation(int codePoint)
    {
        // '*' and '>' are wildcards: "a.*.b" is a valid pattern but no topic (the wildcard tests cover them). The
        // generator draws them now and then, which made this property fail about one run in ten.
        if (codePoint is '*' or '>')
        {
            return true;
        }

        var topic = "a." + TopicSamples.Text(codePoint) + ".b";
        var valid = Topics.IsValidTopic(topic);
        return Topics.IsValidPattern(topic) == valid && Topics.Matches("a.>", topic) == valid && Topics.Matches(topic, topic) == valid;
    }

    [Fact]
    public void CodePointGenerator_CoversEveryClass_SoThePropertiesAreNotVacuous()
    {
        var categories = CodePoints.Generator.Sample(20_000, 1)
            .Select(static cp => cp is >= 0xD800 and <= 0xDFFF ? UnicodeCategory.Surrogate : CharUnicodeInfo.GetUnicodeCategory(cp))
            .ToHashSet();
        Assert.Superset(
            new HashSet<UnicodeCategory>
            {
                UnicodeCategory.Format, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator, UnicodeCategory.OtherNotAssigned,
                UnicodeCategory.PrivateUse, UnicodeCategory.Surrogate, UnicodeCategory.Control, UnicodeCategory.SpaceSeparator,
                UnicodeCategory.OtherLetter, UnicodeCategory.NonSpacingMark, UnicodeCategory.OtherSymbol, UnicodeCategory.OtherPunctuation,
            },
            categories);
    }

    [Fact]
    public void Unassigned_MeansUnassignedInTheRuntimesOwnUnicodeData_NotIcu()
    {
        // docs/Service-Bus.md: .NET 10 carries Unicode 16.0 itself, so InvariantGlobalization changes nothing here.
        Assert.True(Topics.IsValidTopic("a.\u1c89"), "U+1C89 (Unicode 16.0) should be assigned");
        Assert.False(Topics.IsValidTopic("a." + char.ConvertFromUtf32(0x1FAEA)), "U+1FAEA is unassigned in Unicode 16.0");
    }

    /// <summary>The rule, written independently of the implementation: what a visible topic character is.</summary>
    private static bool Allowed(int codePoint)
    {
        if (codePoint is >= 0xD800 and <= 0xDFFF || codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE)
        {
            return false;
        }

        var rune = new Rune(codePoint);
        return !Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse);
    }

    public static class CodePoints
    {
        // Weighted toward the edges and the classes that matter; the rest uniform over all of Unicode.
        public static Gen<int> Generator { get; } = Gen.Frequency(
            (4, Gen.Choose(0, 0x10FFFF)),
            (2, Gen.Choose(0, 0x2FFF)),
            (1, Gen.Choose(0xD800, 0xDFFF)),
            (1, Gen.Choose(0xE000, 0xF8FF)),
            (1, Gen.Choose(0xFDC0, 0xFFFF)),
            (1, Gen.Choose(0x2000, 0x206F)),
            (1, Gen.Choose(0x1F000, 0x1FFFF)),
            (1, Gen.Elements(0x0378, 0x1FAEA, 0xE0001, 0xF0000, 0x10FFFD, 0x10FFFF, 0x1FFFE, 0x2028, 0x2029, 0x85, 0xA0)));

        public static Arbitrary<int> Values() => Arb.From(Generator);
    }
}
