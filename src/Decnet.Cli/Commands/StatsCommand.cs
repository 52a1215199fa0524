using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet stats` (not implemented yet).</summary>
internal static class StatsCommand
{
    public static Command Create() => new("stats", "Not implemented yet.");
}
