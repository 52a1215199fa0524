using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Commands;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// Runs the <c>decnet</c> command tree (or only <c>mutation</c> and <c>syslog</c>, with a bus and stdin the test gives)
/// in-process with captured stdout and stderr: no Console redirection, so tests can run in parallel.
/// </summary>
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

    public static async Task<CliRun> InvokeAsync(string[] args, TextWriter? error = null, CancellationToken ct = default, Stream? standardInput = null)
    {
        var output = new StringWriter();
        var errorWriter = error ?? new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = errorWriter };
        var code = await CliInvocation.InvokeAsync(CliApplication.CreateRootCommand(standardInput), args, configuration, ct);
        return new CliRun(code, output.ToString(), errorWriter.ToString() ?? string.Empty);
    }

    /// <summary>
    /// Runs <c>mutation</c> and <c>syslog</c> with <paramref name="busFactory"/> as the bus and
    /// <paramref name="standardInput"/> as stdin; fails the run after 10 s.
    /// </summary>
    public static async Task<CliRun> InvokeMutationAsync(
        string[] args,
        Func<CancellationToken, ValueTask<IBus>>? busFactory = null,
        Stream? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("test") { MutationCommand.Create(busFactory), SyslogCommand.Create(standardInput) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var exit = await CliInvocation.InvokeAsync(root, args, new InvocationConfiguration { Output = output, Error = error }, timeout.Token);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public void Deconstruct(out int exitCode, out string output, out string error) => (exitCode, output, error) = (ExitCode, Output, Error);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";

    /// <summary>The lines a run printed, whatever the line endings, without the last newline.</summary>
    public static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
