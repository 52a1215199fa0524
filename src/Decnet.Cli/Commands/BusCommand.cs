using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet bus` (not implemented yet).</summary>
internal static class BusCommand
{
    public static Command Create() => new("bus", "Not implemented yet.");
}
