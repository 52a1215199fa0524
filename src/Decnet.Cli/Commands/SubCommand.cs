using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet sub` (not implemented yet).</summary>
internal static class SubCommand
{
    public static Command Create() => new("sub", "Not implemented yet.");
}
