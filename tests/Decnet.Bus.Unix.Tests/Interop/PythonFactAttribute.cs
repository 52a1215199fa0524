using System.Diagnostics;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// A fact that needs Debian's python3 with msgpack. On a developer machine without it the test is skipped with the
/// install hint, so the README's plain <c>dotnet test</c> works on a fresh machine; CI sets
/// <c>DECNET_REQUIRE_PEERS=1</c> (after installing the peers), and then a missing peer fails the test instead.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> _available = new(Probe);

    public PythonFactAttribute()
    {
        if (!_available.Value && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = $"{PythonClient.Interpreter} with msgpack is not installed; {PythonClient.InstallHint}.";
        }
    }

    private static bool Probe()
    {
        if (!File.Exists(PythonClient.Interpreter))
        {
            return false;
        }

        using var probe = Process.Start(new ProcessStartInfo(PythonClient.Interpreter, ["-c", "import msgpack"]) { RedirectStandardError = true });
        if (probe is null)
        {
            return false;
        }

        probe.StandardError.ReadToEnd();
        return probe.WaitForExit(TimeSpan.FromSeconds(30)) && probe.ExitCode == 0;
    }
}
