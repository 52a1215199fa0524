namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A fact about the default socket path on a host without <c>/run/decnet</c> (which would be the default): skipped,
/// saying why, on a host where the shipped unit has run (it keeps <c>/run/decnet</c> until reboot), except in CI
/// (<c>DECNET_REQUIRE_PEERS=1</c>), where it runs and fails rather than skip silently.
/// </summary>
public sealed class WithoutRunDirectoryFactAttribute : FactAttribute
{
    public WithoutRunDirectoryFactAttribute()
    {
        if (Directory.Exists("/run/decnet") && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = "/run/decnet exists on this host, so it is the default socket's directory";
        }
    }
}
