using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet mutation emit --decky ID --old a,b --new b,c --trigger operator [--actor NAME] [--log-file PATH]
/// [--socket PATH]</c>: emits one mutation event through the real emitter (ingest log line, then bus event) and prints
/// what happened to each path. Exit 0 when the line was written, 1 when it was not, 2 for bad arguments.
/// </summary>
internal static class MutationCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="busFactory">
    /// Connects to the bus at the <c>--socket</c> path (null: the default) for one emit; the caller's bus is disposed
    /// afterwards. Null publishes to <see cref="NullBus"/>, which the output reports as "bus: failed: bus is disabled".
    /// </param>
    public static Command Create(Func<string?, CancellationToken, ValueTask<IBus>>? busFactory)
    {
        var decky = new Option<string>("--decky") { Description = "The decky id (1-63 of A-Z a-z 0-9 - _, starting with a letter or digit).", Required = true };
        var oldServices = new Option<string?>("--old") { Description = "Services before, comma-separated (empty for creation)." };
        var newServices = new Option<string?>("--new") { Description = "Services after, comma-separated (empty for retirement)." };
        var trigger = new Option<string>("--trigger") { Description = "creation, retirement, scheduled, operator, behavioral, healer or federation.", Required = true };
        var actor = new Option<string?>("--actor") { Description = "Who asked for it (free text, no control characters)." };
        var logFile = new Option<string?>("--log-file") { Description = "The ingest log (default: $DECNET_INGEST_LOG_FILE or /var/log/decnet/decnet.log)." };
        var socket = BusClientCommand.CreateSocketOption();

        var emit = new Command("emit", "Emit one decky_mutated event: append the RFC 5424 line, then publish on decky.<id>.mutation.")
        {
            decky, oldServices, newServices, trigger, actor, logFile, socket,
        };
        emit.SetAction(async (parseResult, cancellationToken) =>
        {
            // SIGINT/SIGTERM end the publish, not the process (Program turns the runtime's handling off): both status
            // lines are still printed, and the exit code stays the line's (docs/reliability.md).
            using var signals = new TerminationSignals(cancellationToken);
            var path = parseResult.GetValue(socket);
            var runner = new MutationEmitRunner(
                busFactory is null ? null : ct => busFactory(path, ct),
                parseResult.InvocationConfiguration.Output);
            return await runner.RunAsync(
                parseResult.GetRequiredValue(decky),
                parseResult.GetValue(oldServices),
                parseResult.GetValue(newServices),
                parseResult.GetRequiredValue(trigger),
                parseResult.GetValue(actor),
                parseResult.GetValue(logFile),
                signals.Token).ConfigureAwait(false);
        });

        return new Command("mutation", "Mutation events (decky service changes).") { emit };
    }

    /// <summary>Builds the command with a factory that ignores <c>--socket</c> (tests that inject their own bus).</summary>
    public static Command Create(Func<CancellationToken, ValueTask<IBus>>? busFactory = null)
        => Create(busFactory is null ? null : (_, ct) => busFactory(ct));
}
