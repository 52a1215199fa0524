using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The bus's connection loop, started by its first publish, lives as long as the bus: it must not carry that caller's
/// async-locals (a request's scope, a trace, a user's handler state) for the bus's lifetime, nor pass them on to what
/// it starts.
/// </summary>
public sealed class RunLoopContextTests
{
    private static readonly AsyncLocal<string?> _caller = new();

    [Fact]
    public async Task TheConnectionLoop_KeepsNoAsyncLocalOfTheFirstPublisher()
    {
        using var dir = new TempSocketDir();
        var logger = new ContextLogger();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), logger);

        _caller.Value = "the first publisher's request";
        await bus.PublishAsync("start", new { });
        _caller.Value = null;

        // Logged by the loop (no broker listens): what it sees of the publisher's flow.
        var seen = await logger.SeenAtFailure.WaitAsync(TestBroker.Bound);
        Assert.Null(seen);
    }

    private sealed class ContextLogger : ILogger<UnixSocketBus>
    {
        private readonly TaskCompletionSource<string?> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string?> SeenAtFailure => _seen.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains("Cannot reach the bus broker", StringComparison.Ordinal))
            {
                _seen.TrySetResult(_caller.Value);
            }
        }
    }
}
