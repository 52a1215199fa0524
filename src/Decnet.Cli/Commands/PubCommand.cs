using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Bus;
using Decnet.Cli.Mutation;
using Decnet.Cli.Usage;

namespace Decnet.Cli.Commands;

/// <summary><c>decnet pub TOPIC [JSON|-]</c>: publishes one event (the JSON object becomes a MessagePack map).</summary>
internal static class PubCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="standardInput">What the payload <c>-</c> reads; null means the process's standard input.</param>
    public static Command Create(Stream? standardInput = null)
    {
        var topic = new Argument<string>("topic") { Description = "Concrete topic to publish on, e.g. decky.decky-01.mutate_request." };
        var payload = new Argument<string?>("payload")
        {
            Description = "Payload as a JSON object, or - to read it from stdin (default: {}).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var type = new Option<string?>("--type", "-t") { Description = "Envelope type, a short discriminator such as 'applied'." };
        var socket = BusClientCommand.CreateSocketOption();

        var command = new Command("pub", "Publish one event on the bus.") { topic, payload, type, socket };
        command.SetAction((parseResult, ct) => RunAsync(
            parseResult,
            parseResult.GetRequiredValue(topic),
            parseResult.GetValue(payload),
            parseResult.GetValue(type),
            parseResult.GetValue(socket),
            standardInput,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string topic, string? payloadText, string? type, string? socket, Stream? standardInput, CancellationToken ct)
    {
        // Check caller errors before touching the socket: a typo should not depend on whether the broker runs.
        CallerInput.Check(static t => Topics.EnsureValidTopic(t), topic);
        if (type is not null)
        {
            CallerInput.Check(static t => EventTypes.EnsureValid(t), type);
        }

        var json = payloadText switch
        {
            null => "{}",
            "-" => await PayloadInput.ReadAsync(standardInput ?? Console.OpenStandardInput(), ct).ConfigureAwait(false),
            _ => payloadText,
        };
        Dictionary<string, object?> payload;
        try
        {
            payload = JsonPayload.ParseObject(json);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        return await NatsClientCommand.RunAsync(parseResult, "pub", socket, async (bus, options, token) =>
        {
            // The configured topic limit was checked before connecting; the broker's limits (its WELCOME) are
            // checked by the publish.
            var confirmation = PublishConfirmation.Before(bus);
            await CallerInput.CheckAsync(() => bus.PublishAsync(topic, payload, type, token)).ConfigureAwait(false);

            // Publishing is fire-and-forget; the flush's reply (a PONG the broker sends only after routing it, or NATS's
            // PONG) proves the publish was routed before this process exits and closes the connection.
            var unconfirmed = await confirmation.FlushAsync(token).ConfigureAwait(false);

            // The broker answers a refused PUB (its ACL, ERR 12) with an ERR that arrives before the flush's PONG and
            // keeps the connection: without this check the event would be lost and the command would exit 0.
            // NATS likewise: its permissions -ERR is read before the PONG, and the server keeps the connection.
            var error = parseResult.InvocationConfiguration.Error;
            if (PublishRefusal.Of(bus, topic) is { } refusal)
            {
                await error.WriteLineAsync($"pub: {refusal.Message}").ConfigureAwait(false);
                return refusal.ExitCode;
            }

            // Checked after the refusals: a refused event is dropped too, and the refusal says why. Exit 0 must mean
            // the event was routed; without that proof, EX_UNAVAILABLE as for a bus not running, so a script retries.
            if (unconfirmed is not null)
            {
                await error.WriteLineAsync(
                    $"pub: {PublishConfirmation.Describe(bus, options)} did not confirm the event on {Topics.Printable(topic)} "
                    + $"({unconfirmed}); it may not have been delivered").ConfigureAwait(false);
                return ExitCodes.Unavailable;
            }

            return ExitCodes.Ok;
        }, ct, options => CallerInput.CheckLength("topic", topic, options.MaxTopicBytes)).ConfigureAwait(false);
    }
}
