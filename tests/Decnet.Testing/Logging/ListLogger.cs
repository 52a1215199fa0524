using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Decnet.Testing;

/// <summary>Captures log entries so tests can assert on levels and messages, and await an entry without polling.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, formatter(state, exception)));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public int Count(LogLevel level) => Entries.Count(e => e.Level == level);

    /// <summary>Completes once <paramref name="condition"/> holds, re-checking after each new entry (no polling).</summary>
    public async Task WaitUntilAsync(Func<ListLogger<T>, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
