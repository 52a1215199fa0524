using Microsoft.Extensions.Logging;

namespace Decnet.Testing;

/// <summary>Hands one <see cref="RecordingLogger{T}"/> to every category, for code that takes an <see cref="ILoggerFactory"/>.</summary>
internal sealed class RecordingLoggerProvider<T>(RecordingLogger<T> logger) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void Dispose()
    {
    }
}
