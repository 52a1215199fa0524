using Decnet.Bus.Unix.Hardening.Tests.Support;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

/// <summary>
/// What this (client) process holds at one moment: open file descriptors, threads split into thread-pool workers and
/// dedicated threads (from /proc/self/task/*/comm), and the managed heap after a full, compacting collection.
/// </summary>
internal sealed record ClientFootprint(int Fds, int PoolThreads, int DedicatedThreads, long ManagedBytes, SortedDictionary<string, int> ThreadNames)
{
    /// <summary>The name .NET gives thread-pool worker threads on Linux.</summary>
    internal const string PoolWorkerName = ".NET TP Worker";

    public static ClientFootprint Take()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var names = ProcStatus.ThreadNames(Environment.ProcessId);
        var pool = names.GetValueOrDefault(PoolWorkerName);
        return new(ProcStatus.OpenFds(Environment.ProcessId), pool, names.Values.Sum() - pool, managed, names);
    }

    public override string ToString()
        => $"fds {Fds}, threads {DedicatedThreads} dedicated + {PoolThreads} pool, managed heap {ManagedBytes / 1024.0:0.0} KiB";

    /// <summary>The thread names, for a failure message.</summary>
    public string Threads() => string.Join(", ", ThreadNames.Select(n => $"{n.Key} x{n.Value}"));
}
