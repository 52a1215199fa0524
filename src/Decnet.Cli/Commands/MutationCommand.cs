using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet mutation emit --decky ID --old a,b --new b,c --trigger operator [--actor NAME] [--log-file PATH]</c>:
/// emits one mutation event through the real emitter (ingest log line, then bus event) and prints what happened to
/// each path. Exit 0 when the line was written, 1 when it was not, 2 for bad arguments.
/// </summary>
internal static class MutationCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="busFactory">
    /// Connects to the bus for one emit (the caller's bus is disposed afterwards); null publishes to
    /// <see cref="NullBus"/>, which the output reports as "bus: failed: bus is disabled".
    /// </param>
    public static Command Create(Func<CancellationToken, ValueTask<IBus>>? busFactory = null)
    {
        var decky = CliArguments.Lenient("--decky", "The decky id (1-63 of A-Z a-z 0-9 - _, starting with a letter or digit).");
        var oldServices = CliArguments.Lenient("--old", "Services before, comma-separated (empty for creation).");
        var newServices = CliArguments.Lenient("--new", "Services after, comma-separated (empty for retirement).");
        var trigger = CliArguments.Lenient("--trigger", "creation, retirement, scheduled, operator, behavioral, healer or federation.");
        var actor = CliArguments.Lenient("--actor", "Who asked for it (free text, no control characters).");
        var logFile = CliArguments.Lenient("--log-file", "The ingest log (default: $DECNET_INGEST_LOG_FILE or /var/log/decnet/decnet.log).");

        var emit = new Command("emit", "Emit one decky_mutated event: append the RFC 5424 line, then publish on decky.<id>.mutation.")
        {
            decky, oldServices, newServices, trigger, actor, logFile,
        };
        emit.TreatUnmatchedTokensAsErrors = false;
        emit.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            CliArguments.EnsureNoUnmatchedTokens(parseResult);
            var runner = new MutationEmitRunner(busFactory, output, error);
            return await runner.RunAsync(
                CliArguments.Single(parseResult, decky) ?? throw new CliUsageException("--decky is required"),
                CliArguments.Single(parseResult, oldServices),
                CliArguments.Single(parseResult, newServices),
                CliArguments.Single(parseResult, trigger) ?? throw new CliUsageException("--trigger is required"),
                CliArguments.Single(parseResult, actor),
                CliArguments.Single(parseResult, logFile),
                cancellationToken).ConfigureAwait(false);
        });

        return new Command("mutation", "Mutation events (decky service changes).") { emit };
    }
}
