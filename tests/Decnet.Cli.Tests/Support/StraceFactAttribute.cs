namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A fact that watches a child's system calls with strace(1): skipped with the reason on a developer machine without
/// it, failed in CI (<c>DECNET_REQUIRE_PEERS=1</c>, which installs it) where it must run.
/// </summary>
public sealed class StraceFactAttribute : FactAttribute
{
    /// <summary>Where Debian installs strace.</summary>
    public const string StracePath = "/usr/bin/strace";

    public StraceFactAttribute()
    {
        if (!File.Exists(StracePath) && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = "needs strace (apt-get install strace)";
        }
    }
}
