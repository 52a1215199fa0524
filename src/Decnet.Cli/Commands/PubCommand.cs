using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet pub` (not implemented yet).</summary>
internal static class PubCommand
{
    public static Command Create() => new("pub", "Not implemented yet.");
}
