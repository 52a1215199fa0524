namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A fact that needs rsyslogd. Skipped with the install hint where it is missing, so a plain <c>dotnet test</c> works
/// on a fresh machine; CI installs rsyslog and sets <c>DECNET_REQUIRE_PEERS=1</c>, and then a missing rsyslogd fails.
/// </summary>
public sealed class RsyslogFactAttribute : FactAttribute
{
    public const string RsyslogPath = "/usr/sbin/rsyslogd";

    public RsyslogFactAttribute()
    {
        if (!File.Exists(RsyslogPath) && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = $"{RsyslogPath} is not installed (apt-get install -y rsyslog); the rsyslog interop test needs it.";
        }
    }
}
