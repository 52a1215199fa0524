using Decnet.Bus.Unix.Hardening.Tests.Support;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

/// <summary>
/// What this (client) process holds at one moment: open file descriptors, threads split into thread-pool workers and
/// dedicated threads (from /proc/self/task/*/comm), and the managed heap after a full, compacting collection, split
/// into what the shared array pool caches for reuse, the pooled buffers rented and not returned, and the rest.
/// </summary>
internal sealed record ClientFootprint(
    int Fds,
    int PoolThreads,
    int DedicatedThreads,
    long ManagedBytes,
    long PooledBytes,
    int RentedBuffers,
    long RentedBytes,
    SortedDictionary<string, int> ThreadNames)
{
    /// <summary>The name .NET gives thread-pool worker threads on Linux.</summary>
    internal const string PoolWorkerName = ".NET TP Worker";

    /// <summary>The managed heap less the shared pool's cache and its outstanding buffers: objects the code keeps.</summary>
    public long OtherBytes => ManagedBytes - PooledBytes - RentedBytes;

    public static ClientFootprint Take(PoolRentTracker rents)
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var pooled = SharedPoolProbe.PooledBytes();
        var (rented, rentedBytes) = rents.Outstanding();
        var names = ProcStatus.ThreadNames(Environment.ProcessId);
        var pool = names.GetValueOrDefault(PoolWorkerName);
        return new(ProcStatus.OpenFds(Environment.ProcessId), pool, names.Values.Sum() - pool, managed, pooled, rented, rentedBytes, names);
    }

    public override string ToString()
        => $"fds {Fds}, threads {DedicatedThreads} dedicated + {PoolThreads} pool, managed heap {Kib(ManagedBytes)} KiB = "
            + $"{Kib(PooledBytes)} pooled + {RentedBuffers} buffers rented ({Kib(RentedBytes)}) + {Kib(OtherBytes)} other";

    /// <summary>The thread names, for a failure message.</summary>
    public string Threads() => string.Join(", ", ThreadNames.Select(n => $"{n.Key} x{n.Value}"));

    private static string Kib(long bytes) => (bytes / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
