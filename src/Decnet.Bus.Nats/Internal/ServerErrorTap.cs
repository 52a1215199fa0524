using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// The logger factory handed to the NATS client: it passes every log through escaped (<see cref="EscapingLogger"/>:
/// the host's own factory receives the library's lines, which quote the server), and hands each server error
/// (<c>-ERR</c>) to a callback on the client's socket-reading task, before the client reads what the server sent after
/// it. The client's <c>ServerError</c> event comes later, from another task, so a PONG read after the <c>-ERR</c> may
/// complete a PING first: the event alone cannot tell whether a SUB that a PING/PONG confirmed was refused, nor count
/// a refused publish before a flush returns (docs/cross-host.md, "Where NATS differs").
/// </summary>
internal sealed class ServerErrorTap(ILoggerFactory inner, Action<string> onServerError) : ILoggerFactory
{
    // The client's reader logs each -ERR as it parses it: "Server error {Error}", event NatsLogEvents.Protocol. The
    // permission tests fail should a client version stop doing so.
    private const string _readerCategory = "NATS.Client.Core.Internal.NatsReadProtocolProcessor";
    private const string _errorKey = "Error";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = new EscapingLogger(inner.CreateLogger(categoryName));
        return string.Equals(categoryName, _readerCategory, StringComparison.Ordinal) ? new Tap(logger, onServerError) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to whoever made the bus.
    }

    /// <summary>Reads the raw <c>-ERR</c> text off the reader's state, before <paramref name="inner"/> escapes the line.</summary>
    private sealed class Tap(ILogger inner, Action<string> onServerError) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == NatsLogEvents.Protocol.Id && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == _errorKey && value is string error)
                    {
                        onServerError(error);
                        break;
                    }
                }
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
