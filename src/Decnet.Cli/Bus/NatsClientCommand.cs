using System.CommandLine;
using Decnet.Bus;
using Decnet.Bus.Nats;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Bus;

/// <summary>
/// The transport-neutral side of the client commands: with <c>DECNET_BUS_TYPE=nats</c>, <c>decnet pub|sub|stats</c>
/// talk to NATS (<c>DECNET_BUS_NATS_URL</c>) instead of the local broker, with the same exit codes.
/// </summary>
internal static class NatsClientCommand
{
    /// <summary>
    /// How long a command waits for the NATS server before reporting it unavailable, and <c>pub</c> for the reply to
    /// its flush.
    /// </summary>
    public static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Where a command connects, for its messages: the socket path or the NATS URL, escaped (either may come from a
    /// file another process wrote, and a control character in it would reach the terminal).
    /// </summary>
    public static string Describe(DecnetBusOptions options)
        => UntrustedText.Escape(IsNats(options) ? string.Join(',', options.Nats.Urls) : options.SocketPath);

    public static bool IsNats(DecnetBusOptions options) => string.Equals(options.Type, DecnetBusOptions.NatsTransport, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Like <see cref="BusClientCommand.RunAsync"/> for any transport: the local broker by default, NATS when
    /// <c>DECNET_BUS_TYPE=nats</c>.
    /// </summary>
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        string command,
        string? socket,
        Func<IBus, DecnetBusOptions, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        Action<DecnetBusOptions>? checkInput = null)
    {
        CliFlagValues.CheckSocket(socket);
        DecnetBusOptions options;
        try
        {
            options = CliBusOptions.Load(socket, clientName: $"decnet-{command}");
        }
        catch (OptionsValidationException)
        {
            // Let the shared path print the one-line configuration error.
            return await BusClientCommand.RunAsync(parseResult, command, socket, (bus, o, t) => body(bus, o, t), cancellationToken, checkInput).ConfigureAwait(false);
        }

        if (!IsNats(options))
        {
            return await BusClientCommand.RunAsync(parseResult, command, socket, (bus, o, t) => body(bus, o, t), cancellationToken, checkInput).ConfigureAwait(false);
        }

        checkInput?.Invoke(options);

        var bus = new NatsBus(options);
        await using (bus.ConfigureAwait(false))
        {
            if (!await bus.WaitForConnectionAsync(ConnectBound, cancellationToken).ConfigureAwait(false))
            {
                if (bus.AuthorizationRefused)
                {
                    // The server is up and said no: retrying (69) cannot help; the credentials must change, as for
                    // a refused permission (77).
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                        $"bus: authorization refused by {Describe(options)} (check {DecnetBusVariables.NatsUser} and "
                        + $"{DecnetBusVariables.NatsPassword}, {DecnetBusVariables.NatsToken} or {DecnetBusVariables.NatsCreds})").ConfigureAwait(false);
                    return ExitCodes.NoPermission;
                }

                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"bus: NATS unavailable at {Describe(options)} (is nats-server running?)").ConfigureAwait(false);
                return ExitCodes.Unavailable;
            }

            return await body(bus, options, cancellationToken).ConfigureAwait(false);
        }
    }
}
