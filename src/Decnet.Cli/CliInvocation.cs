using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Decnet.Bus;
using Decnet.Cli.Mutation;
using Decnet.Cli.Terminal;

namespace Decnet.Cli;

/// <summary>
/// The one way a command line runs: System.CommandLine's parse errors and every <see cref="CliUsageException"/> a
/// command throws become the same single line on stderr, <c>error: MESSAGE</c>, and exit 2, for every subcommand
/// (docs/operations.md, "Exit codes"). Nothing else, no help dump and no stack trace.
/// </summary>
internal static class CliInvocation
{
    /// <summary>
    /// Response files off: System.CommandLine would replace any argument starting with <c>@</c> by the lines of a file
    /// of that name, so <c>--actor @name</c> or a topic <c>@a.b</c> would read a file (and print it in a parse error).
    /// Every argument is taken as typed.
    /// </summary>
    private static readonly ParserConfiguration _parser = new() { ResponseFileTokenReplacer = null };

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command.</summary>
    /// <param name="root">The command tree (<see cref="CliApplication.CreateRootCommand"/> or a test's subset).</param>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="configuration">Output, error and termination settings; its exception handler is turned off
    /// here so usage errors reach this method instead of being printed with a stack trace.</param>
    /// <param name="cancellationToken">Cancels the running command.</param>
    /// <returns>The command's exit code; 2 for a usage error, 0 when the reader of stdout has gone (EPIPE), 70 for an
    /// unexpected exception.</returns>
    public static async Task<int> InvokeAsync(Command root, IReadOnlyList<string> args, InvocationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(configuration);
        var parseResult = root.Parse(args, _parser);
        if (parseResult.Action is ParseErrorAction)
        {
            return await ReportAsync(configuration.Error, string.Join("; ", parseResult.Errors.Select(Describe).Distinct(StringComparer.Ordinal))).ConfigureAwait(false);
        }

        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            return await ReportAsync(configuration.Error, ex.Message).ConfigureAwait(false);
        }
        catch (IOException ex) when (StandardOutput.IsBrokenPipe(ex))
        {
            // The reader of our output is gone (`decnet sub '>' | head -1`): done, as grep and nats sub are.
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect, not a usage error: still one line (System.CommandLine's handler would dump the stack), and
            // EX_SOFTWARE so scripts can tell it from bad input.
            await configuration.Error.WriteLineAsync($"error: internal error ({ex.GetType().Name}): {UntrustedText.Escape(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Software;
        }
    }

    /// <summary>System.CommandLine's message, except that a missing argument is named ("missing TOPIC").</summary>
    private static string Describe(ParseError error)
    {
        var command = error.SymbolResult switch
        {
            CommandResult result => result,
            ArgumentResult { Parent: CommandResult parent } => parent,
            _ => null,
        };
        var missing = command?.Command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && (command.GetResult(a)?.Tokens.Count ?? 0) == 0);
        if (command is null || missing is null)
        {
            // Several errors are joined with "; ", so their own final periods go.
            return error.Message.TrimEnd('.');
        }

        var path = CommandPath(command);
        return $"{path}: missing {missing.Name.ToUpperInvariant()} (see 'decnet {path} --help')";
    }

    /// <summary>The subcommand as typed after <c>decnet</c>, for example <c>syslog parse</c>.</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult { Parent: not null } current; at = current.Parent)
        {
            names.Insert(0, current.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static async Task<int> ReportAsync(TextWriter error, string message)
    {
        // Arguments can carry control characters (a pasted payload, a hostile script): keep the report on one line.
        await error.WriteLineAsync($"error: {UntrustedText.Escape(message)}").ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}
