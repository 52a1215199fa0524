using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// The broker's file-descriptor budget. Every connection costs one descriptor, and the runtime needs some of its own
/// (assemblies, pipes, new threads): a process whose table fills up can abort outright ("Out of memory."), so the
/// broker raises its soft limit to the hard one at start and serves no more connections than fit below it
/// (docs/reliability.md, "Hostile input II").
/// </summary>
internal static unsafe partial class DescriptorBudget
{
    /// <summary>Descriptors kept free for the runtime beyond those open at start (threads, late assemblies, logs).</summary>
    public const int Headroom = 64;

    private const int _rlimitNoFile = 7;

    /// <summary>Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force (null if unknown).</summary>
    public static ulong? RaiseSoftLimit()
    {
        var limit = stackalloc ulong[2];
        if (GetRlimit(_rlimitNoFile, limit) != 0)
        {
            return null;
        }

        if (limit[0] < limit[1])
        {
            var raised = stackalloc ulong[2] { limit[1], limit[1] };
            if (SetRlimit(_rlimitNoFile, raised) == 0)
            {
                return limit[1];
            }
        }

        return limit[0];
    }

    /// <summary>Descriptors this process has open now.</summary>
    public static int OpenNow()
    {
        try
        {
            // The enumeration holds one descriptor of its own while it runs.
            return Math.Max(0, Directory.GetFileSystemEntries("/proc/self/fd").Length - 1);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>How many connections fit in <paramref name="softLimit"/> with <paramref name="openNow"/> already open.</summary>
    public static int ConnectionsThatFit(ulong softLimit, int openNow)
    {
        // One extra: a connection over the limit is accepted for a moment to be told ERR 10.
        var spare = (long)Math.Min(softLimit, int.MaxValue) - openNow - Headroom - 1;
        return (int)Math.Clamp(spare, 0, int.MaxValue);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, ulong* limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, ulong* limit);
}
