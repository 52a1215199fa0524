namespace Decnet.Bus.Abstractions.Tests.TopicTests;

public sealed class TopicMatchingEdgeTests
{
    private static readonly string _token64 = string.Join('.', Enumerable.Range(0, 64).Select(i => $"t{i}"));

    public static TheoryData<string, string, bool> Cases() => new()
    {
        // literal
        { "a", "a", true },
        { "a.b", "a.b", true },
        { "a.b", "a.c", false },
        { "a.b", "a", false },
        { "a", "a.b", false },

        // '>' alone and as a tail: one or more tokens, never zero
        { ">", "a", true },
        { ">", "a.b.c", true },
        { "a.>", "a", false },
        { "a.>", "a.b", true },
        { "a.>", "a.b.c", true },
        { "a.>", "b.c", false },
        { "topology.>", "topology.abc.status", true },
        { "topology.>", "topology", false },

        // '*' is exactly one token
        { "*", "a", true },
        { "*", "a.b", false },
        { "a.*", "a.b", true },
        { "a.*", "a.b.c", false },
        { "a.*", "a", false },
        { "*.*", "a.b", true },
        { "*.b.*", "a.b.c", true },
        { "*.b.*", "a.c.c", false },
        { "*.>", "a", false },
        { "*.>", "a.b", true },
        { "system.*.health", "system.mutator.health", true },
        { "system.*.health", "system.mutator.control", false },
        { "decky.*.mutation", "decky.decky-01.mutation", true },

        // '>' not last and wildcards inside tokens are invalid patterns: never match
        { ">.a", "x.a", false },
        { "a.>.b", "a.x.b", false },
        { "a*", "a", false },
        { "a*", "ab", false },
        { "a.b*", "a.bc", false },
        { "*a", "ba", false },
        { "a>", "a>", false },

        // empty tokens: invalid on either side
        { "", "", false },
        { "a", "", false },
        { "", "a", false },
        { ".a", ".a", false },
        { "a.", "a.", false },
        { "a..b", "a..b", false },
        { "a.*", "a.", false },
        { ">", ".", false },

        // wildcard characters in a topic: never valid
        { "a.*", "a.*", false },
        { ">", "a.>", false },
        { "*", "*", false },

        // whitespace and control characters
        { "a b", "a b", false },
        { "a", "a ", false },
        { "a.\tb", "a.\tb", false },
        { "a\u0000", "a\u0000", false },
        { "a\u00a0", "a\u00a0", false },
        { "a\u2003b", "a\u2003b", false },
        { "a\u007f", "a\u007f", false },

        // unicode tokens are fine, compared ordinally
        { "décky.*", "décky.ü", true },
        { "日本.>", "日本.東京.x", true },
        { "é", "e\u0301", false },

        // case-sensitive
        { "A", "a", false },
        { "topology.*", "Topology.x", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_EdgeCases(string pattern, string topic, bool expected)
        => Assert.Equal(expected, Topics.Matches(pattern, topic));

    [Fact]
    public void Matches_NullNeverMatches()
    {
        Assert.False(Topics.Matches(null, "a"));
        Assert.False(Topics.Matches("a", null));
    }

    [Fact]
    public void SixtyFourTokenTopics_Match()
    {
        Assert.True(Topics.IsValidTopic(_token64));
        Assert.True(Topics.Matches(_token64, _token64));
        Assert.True(Topics.Matches("t0.>", _token64));
        Assert.True(Topics.Matches(string.Join('.', Enumerable.Repeat("*", 64)), _token64));
        Assert.False(Topics.Matches(string.Join('.', Enumerable.Repeat("*", 63)), _token64));
        Assert.False(Topics.Matches(string.Join('.', Enumerable.Repeat("*", 65)), _token64));
        Assert.True(Topics.Matches(string.Join('.', Enumerable.Repeat("*", 63)) + ".>", _token64));
        Assert.False(Topics.Matches(_token64 + ".>", _token64));
    }

    [Theory]
    [InlineData("a.*", false)]
    [InlineData("a.>", false)]
    [InlineData("a.b", true)]
    [InlineData("a-b_c:d/e", true)]
    [InlineData("ü.日本", true)]
    public void IsValidTopic_Table(string topic, bool expected) => Assert.Equal(expected, Topics.IsValidTopic(topic));

    [Theory]
    [InlineData(">", true)]
    [InlineData("*", true)]
    [InlineData("*.>", true)]
    [InlineData("a.>.b", false)]
    [InlineData(">.>", false)]
    [InlineData("a**", false)]
    [InlineData("**", false)]
    [InlineData("a.", false)]
    public void IsValidPattern_Table(string pattern, bool expected) => Assert.Equal(expected, Topics.IsValidPattern(pattern));

    [Theory]
    [InlineData("a..b", "token 2 is empty")]
    [InlineData("a.b*", "token 2 \"b*\" contains the wildcard '*'")]
    [InlineData("a.b c", "token 2 \"b c\" contains whitespace")]
    [InlineData("a.\u0001", "token 2 \"\\u0001\" contains a control character")]
    public void EnsureValidTopic_NamesTheBadToken(string topic, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Topics.EnsureValidTopic(topic));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.>.b", "token 2 '>' is not the last token")]
    [InlineData("a.x*", "token 2 \"x*\" mixes a wildcard")]
    public void EnsureValidPattern_NamesTheBadToken(string pattern, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Topics.EnsureValidPattern(pattern));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
