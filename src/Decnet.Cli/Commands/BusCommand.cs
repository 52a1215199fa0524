using System.CommandLine;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet bus [--socket PATH] [--group NAME]</c>: runs the broker in the foreground until SIGTERM or SIGINT,
/// which send BYE to every client and remove the socket.
/// </summary>
internal static class BusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var socket = new Option<string?>("--socket", "-s")
        {
            Description = "Socket path (default: DECNET_BUS_SOCKET, else /run/decnet/bus.sock if /run/decnet exists, else ~/.decnet/bus.sock or $XDG_RUNTIME_DIR/decnet/bus.sock if private to the user).",
        };
        var group = new Option<string?>("--group", "-g")
        {
            Description = "Group that owns the socket (default: DECNET_BUS_GROUP, else 'decnet'; \"\" skips chgrp).",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log connections and protocol errors (debug level)." };

        var command = new Command("bus", "Run the bus broker in the foreground.") { socket, group, verbose };
        command.SetAction((parseResult, ct) => RunAsync(
            parseResult,
            parseResult.GetValue(socket),
            parseResult.GetValue(group),
            parseResult.GetValue(verbose),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string? socket, string? group, bool verbose, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;
        CliFlagValues.CheckSocket(socket);

        // Before any socket exists in this process: the runtime reads the switch once, when sockets start.
        InlineSocketCompletions.PreferForThisProcess();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "decnet-bus" });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            o.UseUtcTimestamp = false;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);

        // Log calls run on the sockets' epoll threads (inline completions, above): when the console cannot keep up,
        // drop lines (the logger then says how many) rather than stall every connection on that thread.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);

        // Startup failures are printed once, as one line, below; the host's own stack-trace dump and its
        // "Press Ctrl+C" banner are noise in an operator's terminal and journal.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddDecnetBus().AddUnixTransport().AddFakeTransport().AddNatsTransport();
        builder.Services.AddDecnetBusBroker();
        builder.Services.PostConfigure<DecnetBusOptions>(o =>
        {
            // Only an explicit --socket is set: reading the default here would pin it as if configured.
            if (socket is not null)
            {
                o.SocketPath = socket;
            }

            if (group is not null)
            {
                // Only an explicit --group counts as configured (a missing one then stops the start), even
                // --group decnet, which the setter alone takes for the default written back.
                o.Group = group;
                o.GroupConfigured = true;
            }
        });

        using var host = builder.Build();
        using var signals = new TerminationSignals(ct);
        try
        {
            // SIGINT/SIGTERM cancel the token; the host then stops gracefully (BYE to clients, socket removed).
            await host.RunAsync(signals.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"bus: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Config;
        }
        catch (BusStartupException ex)
        {
            // The broker's messages already start with "bus: ". They quote the socket path and, from an inner
            // exception, the system's text: one escaped line, whatever they hold.
            var message = ex.Message.StartsWith("bus: ", StringComparison.Ordinal) ? ex.Message : $"bus: {ex.Message}";
            await error.WriteLineAsync(UntrustedText.Escape(message)).ConfigureAwait(false);
            return ExitCodes.Config;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }
}
