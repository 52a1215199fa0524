namespace Decnet.Bus.Abstractions.Tests.TopicTests;

public sealed class TopicBuilderTests
{
    [Fact]
    public void Builders_ProduceTheDesignTopics()
    {
        Assert.Equal("topology.t1.mutation.applied", Topics.TopologyMutation("t1", Topics.MutationApplied));
        Assert.Equal("topology.t1.status", Topics.TopologyStatus("t1"));
        Assert.Equal("decky.d-1.mutation", Topics.DeckyMutation("d-1"));
        Assert.Equal("decky.d-1.mutate_request", Topics.DeckyMutateRequest("d-1"));
        Assert.Equal("decky.d-1.state", Topics.DeckyState("d-1"));
        Assert.Equal("decky.d-1.traffic", Topics.DeckyTraffic("d-1"));
        Assert.Equal("system.mutator.health", Topics.SystemWorkerHealth("mutator"));
        Assert.Equal("system.mutator.control", Topics.SystemWorkerControl("mutator"));
        Assert.Equal("system.bus.health", Topics.SystemBusHealth);
    }

    [Theory]
    [InlineData("a.b", "'.'")]
    [InlineData("a*", "wildcard '*'")]
    [InlineData(">", "wildcard '>'")]
    [InlineData("a b", "whitespace")]
    [InlineData("a\tb", "whitespace")]
    [InlineData("a\u0001", "control character")]
    [InlineData("", "must not be null or empty")]
    public void Builders_RejectBadSegments_NamingTheSegment(string segment, string problem)
    {
        var ex = Assert.Throws<ArgumentException>(() => Topics.DeckyMutation(segment));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Equal("deckyId", ex.ParamName);
        if (segment.Length > 0)
        {
            Assert.Contains(Topics.Printable(segment), ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TopologyMutation_NamesWhichSegmentIsBad()
    {
        var ex = Assert.Throws<ArgumentException>(() => Topics.TopologyMutation("t1", "app lied"));
        Assert.Equal("state", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Topics.TopologyMutation("t.1", "applied"));
        Assert.Equal("topologyId", ex.ParamName);
    }
}
