using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet syslog` (not implemented yet).</summary>
internal static class SyslogCommand
{
    public static Command Create() => new("syslog", "Not implemented yet.");
}
