using System.CommandLine;

namespace Decnet.Cli.Tests.Support;

/// <summary>Runs the <c>decnet</c> command tree in-process with captured stdout and stderr.</summary>
internal sealed class CliRun
{
    private CliRun(int exitCode, string output, string error)
    {
        ExitCode = exitCode;
        Output = output;
        Error = error;
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public static async Task<CliRun> InvokeAsync(string[] args, TextWriter? error = null, CancellationToken ct = default)
    {
        var output = new StringWriter();
        var errorWriter = error ?? new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = errorWriter };
        var code = await CliInvocation.InvokeAsync(CliApplication.CreateRootCommand(), args, configuration, ct);
        return new CliRun(code, output.ToString(), errorWriter.ToString() ?? string.Empty);
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
