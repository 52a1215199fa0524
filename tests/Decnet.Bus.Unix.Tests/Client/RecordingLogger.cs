using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Keeps every formatted log line, so a test can say why a connection ended.</summary>
internal sealed class RecordingLogger : ILogger<UnixSocketBus>
{
    private readonly Channel<string> _stream = Channel.CreateUnbounded<string>();

    public ConcurrentQueue<string> Lines { get; } = new();

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

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        Lines.Enqueue(line);
        _stream.Writer.TryWrite(line);
    }
}
