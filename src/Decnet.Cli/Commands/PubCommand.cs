using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Bus;

namespace Decnet.Cli.Commands;

/// <summary><c>decnet pub TOPIC [JSON|-]</c>: publishes one event (the JSON object becomes a MessagePack map).</summary>
internal static class PubCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
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
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string topic, string? payloadText, string? type, string? socket, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;

        // Check caller errors before touching the socket: a typo should not depend on whether the broker runs.
        try
        {
            Topics.EnsureValidTopic(topic);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"pub: {CliMessages.WithoutParameterName(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        Dictionary<string, object?> payload;
        try
        {
            var json = payloadText switch
            {
                null => "{}",
                "-" => await Console.In.ReadToEndAsync(ct).ConfigureAwait(false),
                _ => payloadText,
            };
            payload = JsonPayload.ParseObject(json);
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"pub: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await BusClientCommand.RunAsync(parseResult, "pub", socket, async (bus, _, token) =>
        {
            await bus.PublishAsync(topic, payload, type, token).ConfigureAwait(false);

            // Publishing is fire-and-forget; the flush's PONG proves the publish was routed before this process exits
            // and closes the socket (docs/wire-protocol.md, "Ordering").
            await bus.FlushAsync(token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct).ConfigureAwait(false);
    }
}
