using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// The load writer (tests/Decnet.Mutator.Events.LoadWriter) as a child process: it says "ready", waits for a line on
/// stdin, then emits its lines through a real <see cref="MutationEventEmitter"/>. A child, so a test can give it a
/// resource limit or let it be killed without taking the test host along.
/// </summary>
internal static class LoadWriterProcess
{
    /// <summary>Starts the writer of <paramref name="lines"/> lines as decky <c>w{id}</c>, through <paramref name="launcher"/> (e.g. <c>prlimit …</c>) when given.</summary>
    public static Process Start(string logFile, int id, int lines, params string[] launcher)
        => Start([logFile, id.ToString(CultureInfo.InvariantCulture), lines.ToString(CultureInfo.InvariantCulture)], launcher);

    /// <summary>
    /// Starts a writer of one line to <paramref name="logFile"/> that then prints <c>session_leader BOOL tty_nr N</c>
    /// (its controlling terminal, 0 for none), through <paramref name="launcher"/> (e.g. <c>setsid --wait</c>).
    /// </summary>
    public static Process StartReportingTerminal(string logFile, params string[] launcher)
        => Start([logFile, "0", "1", "report-tty"], launcher);

    /// <summary>
    /// Starts a writer of <paramref name="lines"/> lines to <paramref name="logFile"/> that, after the emitter's checks
    /// and right before its first write, grows the file to <paramref name="growTo"/> bytes as a writer outside the
    /// append lock would.
    /// </summary>
    public static Process StartGrowingTheLog(string logFile, long growTo, int lines, params string[] launcher)
        => Start([logFile, "0", lines.ToString(CultureInfo.InvariantCulture), $"grow-to={growTo.ToString(CultureInfo.InvariantCulture)}"], launcher);

    private static Process Start(string[] arguments, string[] launcher)
    {
        var dll = typeof(LoadWriterProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoadWriterPath").Value!;
        var start = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in launcher.Skip(1).Concat(launcher.Length > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in arguments.Prepend(dll))
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }
}
