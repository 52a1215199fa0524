using System.Globalization;
using System.Text.RegularExpressions;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>A connection that dies right after its handshake counts towards backoff (docs/wire-protocol.md §7.4).</summary>
public sealed partial class ReconnectBackoffTests
{
    [Fact]
    public async Task ABrokerThatClosesRightAfterWelcome_IsRetriedWithAGrowingDelay_NotAtOnce()
    {
        using var dir = new TempSocketDir();
        await using var broker = new SilentBroker(dir.SocketPath, answerPings: true, closeAfterWelcome: true);
        var options = BackoffOptions(dir.SocketPath);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new RecordingLogger();
        await using var bus = new UnixSocketBus(options, logger, time);
        using var bound = new CancellationTokenSource(TestBroker.Bound);

        await bus.PublishAsync("start", new { });
        var delays = new List<long>();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var line = await logger.NextLineAsync("after its handshake; retrying in", bound.Token);

            // The client waits on its (fake) clock: no new connection can have been made yet.
            Assert.Equal(attempt, broker.Connections);
            var delay = long.Parse(RetryDelay().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
            delays.Add(delay);
            time.Advance(TimeSpan.FromMilliseconds(delay));
        }

        // 100, 200, 400, 800 ms, each plus up to 20 % jitter.
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.InRange(delays[i], 100 << i, (100 << i) * 12 / 10);
        }
    }

    [Fact]
    public async Task TheRetryTimer_IsArmedBeforeTheLineThatAnnouncesIt()
    {
        using var dir = new TempSocketDir();
        await using var broker = new SilentBroker(dir.SocketPath, answerPings: true, closeAfterWelcome: true);
        var options = BackoffOptions(dir.SocketPath);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);

        // Moves the clock inside the logging call itself: a timer armed only after the line would never fire.
        var logger = new ClockMovingLogger(time, retries: 3);
        await using var bus = new UnixSocketBus(options, logger, time);

        await bus.PublishAsync("start", new { });

        await logger.Done.Task.WaitAsync(TestBroker.Bound);
        Assert.True(broker.Connections >= 3);
    }

    /// <summary>Options for a client whose retries wait 100, 200, 400, 800 ms (each plus jitter), then at most 1 s.</summary>
    private static DecnetBusOptions BackoffOptions(string socketPath)
    {
        var options = TestBroker.NewOptions(socketPath);
        options.ReconnectMinDelay = TimeSpan.FromMilliseconds(100);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
        return options;
    }

    [GeneratedRegex(@"retrying in (\d+) ms")]
    private static partial Regex RetryDelay();

    /// <summary>Advances <paramref name="time"/> by each announced retry delay from within the log call, up to <paramref name="retries"/> times.</summary>
    private sealed class ClockMovingLogger(FakeTimeProvider time, int retries) : ILogger<UnixSocketBus>
    {
        private int _seen;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            if (!line.Contains("after its handshake; retrying in", StringComparison.Ordinal))
            {
                return;
            }

            if (++_seen >= retries)
            {
                Done.TrySetResult();
                return;
            }

            time.Advance(TimeSpan.FromMilliseconds(long.Parse(RetryDelay().Match(line).Groups[1].Value, CultureInfo.InvariantCulture)));
        }
    }
}
