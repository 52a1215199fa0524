using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// The logger factory handed to the NATS client: it passes every log through escaped (<see cref="EscapingLogger"/>:
/// the host's own factory receives the library's lines, which quote the server), and hands two of the client's lines
/// to callbacks, raw:
/// <list type="bullet">
/// <item>each server error (<c>-ERR</c>), on the client's socket-reading task, before the client reads what the server
/// sent after it. The client's <c>ServerError</c> event comes later, from another task, so a PONG read after the
/// <c>-ERR</c> may complete a PING first: the event alone cannot tell whether a SUB that a PING/PONG confirmed was
/// refused, nor count a refused publish before a flush returns (docs/cross-host.md, "Where NATS differs");</item>
/// <item>each failed reconnect attempt with its exception, which the client's <c>ReconnectFailed</c> event leaves out
/// (it carries the URL only), so that a host that filters the library's lines (<c>decnet bridge</c>) still says
/// why the connection does not come back (a certificate file that cannot be parsed, a refused credential).</item>
/// </list>
/// </summary>
internal sealed class NatsClientLogTap(ILoggerFactory inner, Action<string> onServerError, Action<string, Exception> onReconnectFailed) : ILoggerFactory
{
    // The client's reader logs each -ERR as it parses it: "Server error {Error}", event NatsLogEvents.Protocol. The
    // permission tests fail should a client version stop doing so.
    private const string _readerCategory = "NATS.Client.Core.Internal.NatsReadProtocolProcessor";
    private const string _errorKey = "Error";

    // Its reconnect loop logs each failed attempt with the exception, "Failed to connect NATS {Url}
    // [{ReconnectCount}]", a warning, event NatsLogEvents.Connection. NatsReconnectFailureLogTests fail should a
    // client version stop doing so.
    private const string _connectionCategory = "NATS.Client.Core.NatsConnection";
    private const string _urlKey = "Url";
    private const string _reconnectCountKey = "ReconnectCount";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = new EscapingLogger(inner.CreateLogger(categoryName));
        return categoryName switch
        {
            _readerCategory => new Tap(logger, onServerError, null),
            _connectionCategory => new Tap(logger, null, onReconnectFailed),
            _ => logger,
        };
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to whoever made the bus.
    }

    /// <summary>Reads the raw text off the client's state, before <paramref name="inner"/> escapes the line.</summary>
    private sealed class Tap(ILogger inner, Action<string>? onServerError, Action<string, Exception>? onReconnectFailed) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                if (onServerError is not null && eventId.Id == NatsLogEvents.Protocol.Id)
                {
                    TapServerError(values, onServerError);
                }
                else if (onReconnectFailed is not null && exception is not null && logLevel == LogLevel.Warning
                    && eventId.Id == NatsLogEvents.Connection.Id)
                {
                    TapReconnectFailure(values, exception, onReconnectFailed);
                }
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }

        private static void TapServerError(IReadOnlyList<KeyValuePair<string, object?>> values, Action<string> onServerError)
        {
            foreach (var (key, value) in values)
            {
                if (key == _errorKey && value is string error)
                {
                    onServerError(error);
                    return;
                }
            }
        }

        private static void TapReconnectFailure(IReadOnlyList<KeyValuePair<string, object?>> values, Exception exception, Action<string, Exception> onReconnectFailed)
        {
            // Only the reconnect loop's lines carry a reconnect count; the URL is the client's, its password redacted.
            string? url = null;
            var reconnecting = false;
            foreach (var (key, value) in values)
            {
                reconnecting |= key == _reconnectCountKey;
                if (key == _urlKey)
                {
                    url = value?.ToString();
                }
            }

            if (reconnecting)
            {
                onReconnectFailed(url ?? string.Empty, exception);
            }
        }
    }
}
