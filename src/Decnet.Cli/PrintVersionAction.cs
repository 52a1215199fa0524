using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Decnet.Cli;

/// <summary>
/// <c>decnet --version</c>: the package version from version.props (for example <c>0.4.0</c>), without the
/// <c>+commit</c> build metadata System.CommandLine would print.
/// </summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    /// <summary>The version this build was stamped with (the informational version up to any '+').</summary>
    public static string Version { get; } = Stamped(typeof(PrintVersionAction).Assembly);

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return ExitCodes.Ok;
    }

    private static string Stamped(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var metadata = informational.IndexOf('+', StringComparison.Ordinal);
        return metadata < 0 ? informational : informational[..metadata];
    }
}
