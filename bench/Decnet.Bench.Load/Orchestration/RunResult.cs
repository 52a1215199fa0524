namespace Decnet.Bench.Load.Orchestration;

/// <summary>One run of one workload on one system: named figures plus what went oddly.</summary>
internal sealed record RunResult(string System, string Workload, int Run, Dictionary<string, double> Metrics, List<string> Notes);
