using BenchmarkDotNet.Attributes;
using Decnet.Bus;

namespace Decnet.Bench;

/// <summary>
/// Topic matcher throughput. matches/s = 1e9 / mean ns. The public <see cref="Topics.Matches"/> validates both
/// arguments on every call (it is what callers use); <c>MatchesValidated</c> is the transports' hot path, where
/// pattern and topic were validated once on subscribe/receive.
/// </summary>
[MemoryDiagnoser]
public class MatcherBenchmarks
{
    private string _wildcardPattern = null!;
    private string _literalPattern = null!;
    private string _topic = null!;
    private string _missTopic = null!;

    [GlobalSetup]
    public void Setup()
    {
        // new string(...) so the JIT cannot treat the inputs as interned constants.
        _wildcardPattern = new string("topology.*.mutation.>".AsSpan());
        _literalPattern = new string("topology.t-42.mutation.applied".AsSpan());
        _topic = new string("topology.t-42.mutation.applied".AsSpan());
        _missTopic = new string("topology.t-42.status.changed".AsSpan());
    }

    [Benchmark(Baseline = true, Description = "4-token */> pattern, hit")]
    public bool Wildcard4Token() => Topics.Matches(_wildcardPattern, _topic);

    [Benchmark(Description = "4-token literal, hit")]
    public bool Literal() => Topics.Matches(_literalPattern, _topic);

    [Benchmark(Description = "4-token */> pattern, miss")]
    public bool Miss() => Topics.Matches(_wildcardPattern, _missTopic);

    [Benchmark(Description = "pre-validated 4-token */>, hit")]
    public bool Wildcard4TokenValidated() => Topics.MatchesValidated(_wildcardPattern, _topic);
}
