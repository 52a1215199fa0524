using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Decnet.Testing;

/// <summary>
/// Keeps every formatted log line and its level, so a test can say why a connection ended or what reached the log.
/// </summary>
/// <remarks>Not sealed only so that <see cref="RecordingLogger"/> can name the client's logger without a type argument.</remarks>
internal class RecordingLogger<T> : ILogger<T>
{
    /// <summary>How long <see cref="WaitForAsync"/> waits before failing the test.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Channel<string> _stream = Channel.CreateUnbounded<string>();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource Seen)> _waiters = [];

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>
    /// Every line with its level, in the order logged (a line is here before it is in <see cref="Lines"/>): a test
    /// named for a level asserts it, since this logger is enabled at every level.
    /// </summary>
    public ConcurrentQueue<(LogLevel Level, string Line)> Entries { get; } = new();

    /// <summary>
    /// The exceptions logged with a line: a console sink prints each one's message, and its inner exceptions', after
    /// the line, as they are (the formatted line leaves them out).
    /// </summary>
    public ConcurrentQueue<Exception> Exceptions { get; } = new();

    /// <summary>The state of every scope begun, as it was handed over (a sink writes its <c>ToString()</c>).</summary>
    public ConcurrentQueue<object> Scopes { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        Scopes.Enqueue(state);
        return null;
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        if (exception is not null)
        {
            Exceptions.Enqueue(exception);
        }

        Entries.Enqueue((logLevel, line));
        Lines.Enqueue(line);
        _stream.Writer.TryWrite(line);
        lock (_gate)
        {
            _waiters.RemoveAll(w => w.Predicate(line) && w.Seen.TrySetResult());
        }
    }

    /// <summary>The next logged line containing <paramref name="text"/> (lines are read in order, each once).</summary>
    public async Task<string> NextLineAsync(string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _stream.Reader.ReadAsync(cancellationToken);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Completes when a line matching <paramref name="predicate"/> is logged (or already was); fails after <see cref="Bound"/>.</summary>
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

        await seen.Task.WaitAsync(Bound);
    }

    /// <summary>Completes once <paramref name="count"/> lines containing <paramref name="text"/> are logged (a barrier: N connections ended).</summary>
    public Task WaitForLinesAsync(string text, int count)
        => WaitForAsync(_ => Lines.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count);
}
