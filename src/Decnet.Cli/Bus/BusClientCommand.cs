using System.CommandLine;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Bus.Unix.Client.Internal;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Bus;

/// <summary>
/// The part every client command shares: a <c>--socket</c> flag, connecting now so "no broker" is reported at once,
/// and the one-line errors (exit 69 when the broker is down, 77 when the socket's permissions refuse this user, 78
/// for a bad DECNET_BUS_* value or a broker this client does not trust, 2 for a bad --socket value) instead of stack
/// traces.
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
        CliFlagValues.CheckSocket(socket);
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
        catch (BusUnavailableException ex) when (ex.InnerException is UntrustedBrokerException)
        {
            // Something answers, as a uid this client does not trust (a broker of another user, or a squatter): not
            // "down", which would send the operator to start a broker; the line names the uid and
            // DECNET_BUS_BROKER_UID.
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Config;
        }
        catch (BusUnavailableException ex) when (ex.InnerException is ConnectDeniedException)
        {
            // The socket's permissions (EACCES) or the broker's allow-list (ERR 12) refused this user: the broker may
            // well run, and retrying, which 69 asks for, cannot help; what must change is this user's access.
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.NoPermission;
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
