namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>A fact that is skipped, with the reason, when rsyslogd is not installed (CI installs it via apt).</summary>
public sealed class RsyslogFactAttribute : FactAttribute
{
    public const string RsyslogPath = "/usr/sbin/rsyslogd";

    public RsyslogFactAttribute()
    {
        if (!File.Exists(RsyslogPath))
        {
            Skip = $"{RsyslogPath} is not installed (apt-get install -y rsyslog); the rsyslog interop test needs it.";
        }
    }
}
