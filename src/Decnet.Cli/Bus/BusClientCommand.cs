using System.CommandLine;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Bus;

/// <summary>
/// The part every client command shares: a <c>--socket</c> flag, connecting now so "no broker" is reported at once,
/// and the one-line errors (exit 69 when the broker is down, 78 for a bad DECNET_BUS_* value) instead of stack traces.
/// </summary>
internal static class BusClientCommand
{
    /// <summary>Creates the <c>--socket</c> option shared by client commands.</summary>
    public static Option<string?> CreateSocketOption() => new("--socket", "-s")
    {
        Description = "Broker socket path (default: DECNET_BUS_SOCKET, else /run/decnet/bus.sock, ~/.decnet/bus.sock or $XDG_RUNTIME_DIR/decnet/bus.sock).",
    };

    /// <summary>
    /// Connects to the broker and runs <paramref name="body"/> with the connected client; maps the failures every
    /// client command shares to their exit codes and one-line messages on stderr.
    /// </summary>
    /// <remarks>
    /// <c>checkInput</c> checks the caller's input against the loaded options before connecting (it throws
    /// <see cref="Mutation.CliUsageException"/>), so a usage error does not depend on whether the broker runs.
    /// </remarks>
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        string command,
        string? socket,
        Func<UnixSocketBus, DecnetBusOptions, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        Action<DecnetBusOptions>? checkInput = null)
    {
        var error = parseResult.InvocationConfiguration.Error;
        DecnetBusOptions options;
        try
        {
            options = CliBusOptions.Load(socket, clientName: $"decnet-{command}");
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"{command}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        checkInput?.Invoke(options);
        UnixSocketBus bus;
        try
        {
            bus = await UnixSocketBus.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (BusUnavailableException ex)
        {
            // "bus: unavailable at PATH (is 'decnet bus' running?)", or why there is no path (docs/operations.md).
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }

        await using (bus.ConfigureAwait(false))
        {
            return await body(bus, options, cancellationToken).ConfigureAwait(false);
        }
    }
}
