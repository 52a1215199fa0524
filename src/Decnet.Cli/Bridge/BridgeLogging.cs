using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Decnet.Cli.Bridge;

/// <summary>
/// The bridge's log: one line per entry on stderr, beside its own <c>bridge: …</c> lines, so an operator sees why a
/// side stays down (a refused credential, an unreadable certificate) instead of a silent retry loop.
/// </summary>
internal static class BridgeLogging
{
    /// <summary>A factory for the bridge and its two clients; disposing it flushes what is queued.</summary>
    public static ILoggerFactory Create() => LoggerFactory.Create(logging =>
    {
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o =>
        {
            // stdout is not the bridge's: every line it prints goes to stderr (docs/cross-host.md).
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
        });

        // Connects, outages and refusals, as `decnet bus` logs them; per-retry detail stays at Debug.
        logging.SetMinimumLevel(LogLevel.Information);

        // NatsBus reports the NATS client's connects, losses and server errors itself, with network strings
        // escaped; the client library's own lines repeat them unescaped.
        logging.AddFilter("NATS", LogLevel.None);
    });
}
