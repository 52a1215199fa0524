namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A fact that needs Go and Debian's influxdata/go-syslog (an independent strict RFC 5424 parser). Skipped with the
/// install hint where they are missing; CI installs them and sets <c>DECNET_REQUIRE_PEERS=1</c>, and then it fails.
/// </summary>
public sealed class GoSyslogFactAttribute : FactAttribute
{
    public const string GoPath = "/usr/bin/go";
    public const string LibraryPath = "/usr/share/gocode/src/github.com/influxdata/go-syslog/rfc5424";
    public const string InstallHint = "apt-get install -y golang-go golang-github-influxdata-go-syslog-dev";

    public GoSyslogFactAttribute()
    {
        if (!IsAvailable && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = $"Go or go-syslog is not installed ({InstallHint}); the independent RFC 5424 parser test needs them.";
        }
    }

    public static bool IsAvailable => File.Exists(GoPath) && Directory.Exists(LibraryPath);
}
