namespace Decnet.Bench.Load.Orchestration;

/// <summary>Where the tools are and how big the run is (from <c>run</c>'s flags, set by scripts/bench.sh).</summary>
internal sealed record BenchSettings(
    string TempDir,
    string DecnetCli,
    string NatsBench,
    string NatsServer,
    string RedisServer,
    string SelfFile,
    IReadOnlyList<string> SelfPrefix,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> Workloads,
    int Runs,
    bool Quick)
{
    public string PidFile => Path.Combine(TempDir, "pids");

    public string LogFile(string name) => Path.Combine(TempDir, name + ".log");
}
