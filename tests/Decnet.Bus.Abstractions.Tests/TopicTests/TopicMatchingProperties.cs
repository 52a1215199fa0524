using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Decnet.Bus.Abstractions.Tests.TopicTests;

public sealed class TopicMatchingProperties
{
    [Property(Arbitrary = [typeof(MatchCaseArbitrary)], MaxTest = 2000)]
    public bool Matches_AgreesWithReference(MatchCase c)
        => Topics.Matches(c.Pattern, c.Topic) == ReferenceMatcher.Matches(c.Pattern, c.Topic);

    [Property(Arbitrary = [typeof(MatchCaseArbitrary)], MaxTest = 1000)]
    public bool PreValidatedPath_AgreesOnValidInput(MatchCase c)
        => !ReferenceMatcher.IsValidPattern(c.Pattern) || !ReferenceMatcher.IsValidTopic(c.Topic)
        || Topics.MatchesValidated(c.Pattern, c.Topic) == ReferenceMatcher.Matches(c.Pattern, c.Topic);

    [Property(Arbitrary = [typeof(MatchCaseArbitrary)], MaxTest = 500)]
    public bool Validation_AgreesWithReference(MatchCase c)
        => Topics.IsValidPattern(c.Pattern) == ReferenceMatcher.IsValidPattern(c.Pattern)
        && Topics.IsValidTopic(c.Topic) == ReferenceMatcher.IsValidTopic(c.Topic);

    [Fact]
    public void Generator_ProducesMatchesAndMisses_SoThePropertyIsNotVacuous()
    {
        var cases = MatchCaseArbitrary.Generator.Sample(4000, 10).ToArray();
        Assert.Equal(4000, cases.Length);
        var matches = cases.Count(c => ReferenceMatcher.Matches(c.Pattern, c.Topic));
        var validMisses = cases.Count(c => ReferenceMatcher.IsValidPattern(c.Pattern) && ReferenceMatcher.IsValidTopic(c.Topic) && !ReferenceMatcher.Matches(c.Pattern, c.Topic));
        var invalid = cases.Length - matches - validMisses;

        Assert.True(matches > cases.Length / 5, $"only {matches} of {cases.Length} generated cases match");
        Assert.True(validMisses > cases.Length / 5, $"only {validMisses} of {cases.Length} generated cases are valid misses");
        Assert.True(invalid > cases.Length / 20, $"only {invalid} of {cases.Length} generated cases are invalid");
        Assert.Contains(cases, c => c.Pattern.Contains('>', StringComparison.Ordinal) && ReferenceMatcher.Matches(c.Pattern, c.Topic));
        Assert.Contains(cases, c => c.Pattern.Contains('*', StringComparison.Ordinal) && ReferenceMatcher.Matches(c.Pattern, c.Topic));
    }

    public sealed record MatchCase(string Pattern, string Topic);

    public static class MatchCaseArbitrary
    {
        // A small alphabet so patterns and topics collide often; a few bad tokens exercise validation too.
        private static readonly Gen<string> _literal = Gen.Elements("a", "b", "ab", "ü");
        private static readonly Gen<string> _badToken = Gen.Elements("", "a*", ">b", "a b", "a\u0001");

        public static Gen<MatchCase> Generator { get; } = Gen.Frequency(
            (5, Derived()),
            (4, Independent()),
            (1, WithBadToken()));

        public static Arbitrary<MatchCase> Cases() => Arb.From(Generator);

        private static Gen<string[]> TopicTokens() => Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(_literal, n));

        // Pattern built from the topic itself: some tokens become '*', maybe a '>' tail, maybe one token changed.
        private static Gen<MatchCase> Derived() =>
            from tokens in TopicTokens()
            from stars in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false))), tokens.Length)
            from cut in Gen.Choose(0, tokens.Length)
            from mutate in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
            from replacement in _literal
            from at in Gen.Choose(0, tokens.Length - 1)
            select new MatchCase(BuildPattern(tokens, stars, cut, mutate ? at : -1, replacement), string.Join('.', tokens));

        private static Gen<MatchCase> Independent() =>
            from pattern in Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(Gen.Frequency((6, _literal), (2, Gen.Constant("*")), (1, Gen.Constant(">"))), n))
            from topic in TopicTokens()
            select new MatchCase(string.Join('.', pattern), string.Join('.', topic));

        private static Gen<MatchCase> WithBadToken() =>
            from c in Derived()
            from bad in _badToken
            from place in Gen.Choose(0, 2)
            select place switch
            {
                0 => c with { Pattern = c.Pattern + "." + bad },
                1 => c with { Topic = bad + "." + c.Topic },
                _ => c with { Topic = c.Topic + "." + bad }, // inside what a '>' tail would swallow
            };

        private static string BuildPattern(string[] tokens, bool[] stars, int cut, int mutateAt, string replacement)
        {
            var pattern = tokens.Select((t, i) => i == mutateAt ? replacement : stars[i] ? "*" : t).ToList();
            if (cut < pattern.Count && cut > 0)
            {
                pattern = [.. pattern.Take(cut), ">"];
            }

            return string.Join('.', pattern);
        }
    }

    /// <summary>The obvious implementation: split on '.', compare token by token, recurse.</summary>
    private static class ReferenceMatcher
    {
        public static bool IsValidTopic(string topic) => topic.Split('.').All(t => IsPlainToken(t) && !t.Contains('*', StringComparison.Ordinal) && !t.Contains('>', StringComparison.Ordinal));

        public static bool IsValidPattern(string pattern)
        {
            var tokens = pattern.Split('.');
            for (var i = 0; i < tokens.Length; i++)
            {
                var t = tokens[i];
                var wildcardToken = t is "*" || (t is ">" && i == tokens.Length - 1);
                if (!IsPlainToken(t) || (!wildcardToken && (t.Contains('*', StringComparison.Ordinal) || t.Contains('>', StringComparison.Ordinal))))
                {
                    return false;
                }
            }

            return true;
        }

        public static bool Matches(string pattern, string topic)
            => IsValidPattern(pattern) && IsValidTopic(topic) && Match(pattern.Split('.'), 0, topic.Split('.'), 0);

        private static bool IsPlainToken(string token) => token.Length > 0 && !token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

        private static bool Match(string[] p, int i, string[] t, int j)
        {
            if (i == p.Length)
            {
                return j == t.Length;
            }

            if (p[i] == ">")
            {
                return j < t.Length;
            }

            return j < t.Length && (p[i] == "*" || p[i] == t[j]) && Match(p, i + 1, t, j + 1);
        }
    }
}
