using System.CommandLine;

namespace Decnet.Cli.Commands;

/// <summary>`decnet mutation` (not implemented yet).</summary>
internal static class MutationCommand
{
    public static Command Create() => new("mutation", "Not implemented yet.");
}
