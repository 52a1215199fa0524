using Microsoft.Extensions.Logging;

namespace Decnet.Testing;

/// <summary>
/// Records what <paramref name="probe"/> (an async-local) reads on the thread that logs the first line containing
/// <paramref name="text"/>: shows whether long-lived work (a connection loop, a background connect) carries the
/// execution context of the caller that started it. Also a provider, for code that takes a logger factory.
/// </summary>
internal sealed class FlowProbeLogger<T>(string text, Func<string?> probe) : ILogger<T>, ILoggerProvider
{
    private readonly TaskCompletionSource<string?> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The probe's value at the first matching line.</summary>
    public Task<string?> Seen => _seen.Task;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (formatter(state, exception).Contains(text, StringComparison.Ordinal))
        {
            _seen.TrySetResult(probe());
        }
    }

    public void Dispose()
    {
    }
}
