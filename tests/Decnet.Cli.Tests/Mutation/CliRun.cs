using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Commands;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>Runs the real commands in-process with captured stdout/stderr (no Console redirection, so tests can run in parallel).</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(
        string[] args,
        Func<CancellationToken, ValueTask<IBus>>? busFactory = null,
        TextReader? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("test") { MutationCommand.Create(busFactory), SyslogCommand.Create(standardInput) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var exit = await CliInvocation.InvokeAsync(root, args, new InvocationConfiguration { Output = output, Error = error }, timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }
}
