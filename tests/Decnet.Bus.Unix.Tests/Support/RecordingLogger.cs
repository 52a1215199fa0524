using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Keeps every formatted log line, so a test can say why a connection ended or what reached the log.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource Seen)> _waiters = [];

    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        Lines.Enqueue(line);
        lock (_gate)
        {
            _waiters.RemoveAll(w => w.Predicate(line) && w.Seen.TrySetResult());
        }
    }

    /// <summary>Completes when a line matching <paramref name="predicate"/> is logged (or already was); fails after <see cref="TestBroker.Bound"/>.</summary>
    public async Task WaitForAsync(Func<string, bool> predicate)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Lines.Any(predicate))
            {
                return;
            }

            _waiters.Add((predicate, seen));
        }

        await seen.Task.WaitAsync(TestBroker.Bound);
    }
}
