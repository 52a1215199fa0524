using System.Globalization;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>Resident set size and CPU ticks of a process, from /proc (the broker's cost, measured from outside).</summary>
internal readonly record struct ProcSample(double RssMb, long CpuTicks)
{
    /// <summary>USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on Linux.</summary>
    public const double TicksPerSecond = 100.0;

    public static ProcSample Read(int pid)
    {
        try
        {
            double rssKb = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rssKb = double.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    break;
                }
            }

            // Fields after the ")" that closes comm: utime and stime are the 12th and 13th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample(rssKb / 1024.0, ticks);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return new ProcSample(0, 0);
        }
    }
}
