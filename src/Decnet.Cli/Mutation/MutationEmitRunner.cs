using Decnet.Bus;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Mutation;

/// <summary>Runs <c>decnet mutation emit</c>: one event through the real emitter, then one status line per path.</summary>
internal sealed class MutationEmitRunner(Func<CancellationToken, ValueTask<IBus>>? busFactory, TextWriter output, TextWriter error)
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

        // --log-file is relative to the caller's directory; the variable, like the host's, must be absolute.
        var options = new MutationEventOptions
        {
            LogFile = logFile is null
                ? Environment.GetEnvironmentVariable(MutationEventOptions.LogFileVariable) ?? MutationEventOptions.DefaultLogFile
                : string.IsNullOrWhiteSpace(logFile) || logFile.Contains('\0', StringComparison.Ordinal) ? logFile : Path.GetFullPath(logFile),
        };

        if (options.Validate() is { } optionsError)
        {
            throw new CliUsageException(logFile is null ? optionsError : $"--log-file: {optionsError}");
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
        var bus = busFactory is null ? null : new ConnectOnPublishBus(busFactory);
        try
        {
            var emitter = new MutationEventEmitter(options, bus);
            var result = await emitter.EmitAsync(decky, oldList, newList, parsedTrigger, actor, cancellationToken).ConfigureAwait(false);
            // The path is the configuration's, the reasons quote it and the broker's words: none may reach the
            // terminal raw (docs/reliability.md, the escaping of untrusted strings).
            var shownLogFile = UntrustedText.Escape(result.LogFile);
            await output.WriteLineAsync(result.Written ? $"syslog: written to {shownLogFile}" : $"syslog: failed: {UntrustedText.Escape(result.WriteError)}").ConfigureAwait(false);
            var publishError = bus?.ConnectError ?? result.PublishError;
            await output.WriteLineAsync(publishError is null ? $"bus: published on {result.Topic}" : $"bus: failed: {UntrustedText.Escape(publishError)}").ConfigureAwait(false);
            if (!result.Written)
            {
                await error.WriteLineAsync($"error: the decky_mutated line was not written to {shownLogFile}").ConfigureAwait(false);
            }

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
