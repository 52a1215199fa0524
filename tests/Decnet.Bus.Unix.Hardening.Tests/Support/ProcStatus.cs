using System.Globalization;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>Reads a process's resident memory, threads and open file descriptors from /proc (Linux).</summary>
internal static class ProcStatus
{
    /// <summary>A kB field of /proc/PID/status (VmRSS, VmHWM, RssAnon, ...) in bytes.</summary>
    public static long Bytes(int pid, string field) => Field(pid, field) * 1024;

    /// <summary>
    /// Resets the process's peak resident size (VmHWM) to its current one (writing 5 to /proc/PID/clear_refs, Linux
    /// 4.0 and later; needs the right to ptrace it, which its parent running as root or the same uid has).
    /// </summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>The Threads field of /proc/PID/status.</summary>
    public static int Threads(int pid) => (int)Field(pid, "Threads");

    /// <summary>How many file descriptors the process has open.</summary>
    public static int OpenFds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>The process's thread names (from /proc/PID/task/TID/comm), with how many threads carry each.</summary>
    public static SortedDictionary<string, int> ThreadNames(int pid)
    {
        var names = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // the thread ended between listing and reading
            }

            names[name] = names.GetValueOrDefault(name) + 1;
        }

        return names;
    }

    private static long Field(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
            {
                var value = line[(field.Length + 1)..].Trim();
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }
}
