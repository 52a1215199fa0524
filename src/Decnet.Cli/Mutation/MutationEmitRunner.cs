using Decnet.Bus;
using Decnet.Cli.Bus;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Mutation;

/// <summary>Runs <c>decnet mutation emit</c>: one event through the real emitter, then one status line per path.</summary>
internal sealed class MutationEmitRunner(Func<CancellationToken, ValueTask<IBus>>? busFactory, TextWriter output)
{
    public async Task<int> RunAsync(
        string decky,
        string? oldServices,
        string? newServices,
        string trigger,
        string? actor,
        string? logFile,
        CancellationToken cancellationToken)
    {
        if (!MutationTriggers.TryParse(trigger, out var parsedTrigger))
        {
            throw new CliUsageException($"--trigger \"{trigger}\" is not one of {string.Join(", ", MutationTriggers.All.Select(t => t.ToWireString()))}");
        }

        // The flag follows the variable's rule, an absolute path (a relative one would name a file under whatever
        // directory a script or unit ran in, and a service's is /), and its errors name the flag
        // (docs/mutation-events.md, "CLI").
        var options = new MutationEventOptions
        {
            LogFile = logFile ?? Environment.GetEnvironmentVariable(MutationEventOptions.LogFileVariable) ?? MutationEventOptions.DefaultLogFile,
        };

        if ((logFile is null ? options.Validate() : options.Validate("--log-file")) is { } optionsError)
        {
            throw new CliUsageException(optionsError);
        }

        // Validate first, so bad arguments never touch the file or the bus.
        var oldList = Split(oldServices);
        var newList = Split(newServices);
        try
        {
            _ = new DeckyMutatedEvent(DateTimeOffset.UnixEpoch, decky, oldList, newList, parsedTrigger, actor);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException($"{OptionFor(ex.ParamName)}: {CliMessages.WithoutParameterName(ex.Message)}");
        }

        // The line first, then the bus (docs/mutation-events.md): the bus is contacted only when the emitter publishes.
        var bus = busFactory is null ? null : new ConnectOnPublishBus(busFactory, cancellationToken);
        try
        {
            var emitter = new MutationEventEmitter(options, bus);
            MutationEmitResult result;
            try
            {
                result = await emitter.EmitAsync(decky, oldList, newList, parsedTrigger, actor, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Interrupted before the append: nothing was written or published.
                await output.WriteLineAsync("syslog: failed: canceled before the line was written").ConfigureAwait(false);
                await output.WriteLineAsync("bus: failed: canceled before the line was written").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            // The path is the configuration's, the reasons quote it and the broker's words: none may reach the
            // terminal raw (docs/reliability.md, the escaping of untrusted strings).
            var shownLogFile = UntrustedText.Escape(result.LogFile);
            await output.WriteLineAsync(result.Written ? $"syslog: written to {shownLogFile}" : $"syslog: failed: {UntrustedText.Escape(result.WriteError)}").ConfigureAwait(false);
            var publishError = bus?.ConnectError ?? result.PublishError ?? await ConfirmAsync(bus, result.Topic, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(publishError is null ? $"bus: published on {result.Topic}" : $"bus: failed: {UntrustedText.Escape(publishError)}").ConfigureAwait(false);
            // The line is the record, the bus only news of it: a lost event does not fail the command, a lost line
            // does, its "syslog: failed:" line saying why (one line per path; "error:" is the usage form of exit 2:
            // docs/mutation-events.md, "CLI").
            return result.Written ? ExitCodes.Ok : ExitCodes.Failure;
        }
        finally
        {
            if (bus is not null)
            {
                await bus.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Proves the publish the emitter made reached the broker, as <c>pub</c> does: null when the flush was answered on
    /// the connection that carried it and nothing was refused or dropped, else why not.
    /// </summary>
    private static async Task<string?> ConfirmAsync(ConnectOnPublishBus? bus, string topic, CancellationToken cancellationToken)
    {
        if (bus?.Confirmation is not { } confirmation)
        {
            return null;
        }

        string? unconfirmed;
        try
        {
            unconfirmed = await confirmation.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return $"canceled before the broker confirmed the event on {Topics.Printable(topic)}; it may still be delivered";
        }

        // Checked first: a refused event is dropped too, and the refusal says why.
        if (PublishRefusal.Of(bus.Connected, topic) is { } refusal)
        {
            return refusal.Message;
        }

        return unconfirmed is null ? null : $"the broker did not confirm the event on {Topics.Printable(topic)} ({unconfirmed}); it may not have been delivered";
    }

    private static string[] Split(string? services)
        => string.IsNullOrEmpty(services) ? [] : services.Split(',');

    private static string OptionFor(string? paramName) => paramName switch
    {
        "oldServices" => "--old",
        "newServices" => "--new",
        "trigger" => "--trigger",
        "actor" => "--actor",
        _ => "--decky",
    };
}
