using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Keeps every formatted log line, so a test can say why a connection ended.</summary>
internal sealed class RecordingLogger : ILogger<UnixSocketBus>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Lines.Enqueue(formatter(state, exception));
}
