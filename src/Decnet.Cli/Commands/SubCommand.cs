using System.CommandLine;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Mutation;
using Decnet.Cli.Usage;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet sub PATTERN [--count N] [--timeout S] [--json]</c>: prints one line per event; exits 0 after N events
/// and 124 when the timeout passes first.
/// </summary>
internal static class SubCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var pattern = new Argument<string>("pattern") { Description = "Pattern to subscribe to: '*' matches one token, '>' one or more trailing tokens (quote it in the shell)." };
        var count = new Option<int>("--count", "-n")
        {
            Description = "Exit 0 after this many events (0: run until interrupted).",
            CustomParser = CliNumbers.Count,
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = $"Exit 124 if the events have not all arrived after this many seconds (0: no timeout; at most {CliNumbers.MaxTimeoutSeconds}).",
            CustomParser = CliNumbers.Seconds,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON lines: topic, type, id, ts, payload (and publisher when known)." };
        var socket = BusClientCommand.CreateSocketOption();

        var command = new Command("sub", "Subscribe to a pattern and print the events that arrive.") { pattern, count, timeout, json, socket };
        command.SetAction((parseResult, ct) => RunAsync(
            parseResult,
            parseResult.GetRequiredValue(pattern),
            parseResult.GetValue(count),
            parseResult.GetValue(timeout),
            parseResult.GetValue(json),
            parseResult.GetValue(socket),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string pattern, int count, double timeoutSeconds, bool json, string? socket, CancellationToken ct)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        CallerInput.Check(static p => Topics.EnsureValidPattern(p), pattern);

        // The timeout covers the whole run, connecting included, like timeout(1).
        using var deadline = timeoutSeconds > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds)) : new CancellationTokenSource();
        using var signals = new TerminationSignals(ct);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, deadline.Token);
        try
        {
            return await NatsClientCommand.RunAsync(parseResult, "sub", socket, async (bus, options, token) =>
            {
                // The configured length limit was checked before connecting; the broker's (its WELCOME) is
                // checked here.
                var subscription = await CallerInput.CheckAsync(() => bus.SubscribeAsync(pattern, cancellationToken: token)).ConfigureAwait(false);
                await using (((IAsyncDisposable)subscription).ConfigureAwait(false))
                {
                    // Scripts wait for this line: from here on every matching publish is delivered.
                    await error.WriteLineAsync($"sub: subscribed to {pattern} at {NatsClientCommand.Describe(options)}").ConfigureAwait(false);
                    await error.FlushAsync(token).ConfigureAwait(false);

                    using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(token);
                    var watching = bus is UnixSocketBus unix
                        ? BrokerOutageNotice.WatchAsync(unix, error, "sub", NatsClientCommand.Describe(options), stopWatching.Token)
                        : Task.CompletedTask;
                    try
                    {
                        return await PrintAsync(subscription, output, json, count, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        await stopWatching.CancelAsync().ConfigureAwait(false);
                        await watching.ConfigureAwait(false);
                    }
                }
            }, linked.Token, options => CallerInput.CheckLength("pattern", pattern, options.MaxTopicBytes)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !signals.Token.IsCancellationRequested)
        {
            await error.WriteLineAsync($"sub: timed out after {timeoutSeconds:0.###} s").ConfigureAwait(false);
            return ExitCodes.Timeout;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: a normal way to stop watching.
            return ExitCodes.Ok;
        }
    }

    private static async Task<int> PrintAsync(IBusSubscription subscription, TextWriter output, bool json, int count, CancellationToken token)
    {
        var seen = 0;
        await foreach (var evt in subscription.WithCancellation(token).ConfigureAwait(false))
        {
            await output.WriteLineAsync(json ? EventPrinter.ToJsonLine(evt) : EventPrinter.ToTextLine(evt)).ConfigureAwait(false);
            await output.FlushAsync(token).ConfigureAwait(false);
            if (++seen == count)
            {
                return ExitCodes.Ok;
            }
        }

        return ExitCodes.Ok;
    }
}
