using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Abstractions.Tests.TestDoubles;

/// <summary>Captures log entries so tests can assert on levels and messages.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, formatter(state, exception)));

    public int Count(LogLevel level) => Entries.Count(e => e.Level == level);
}
