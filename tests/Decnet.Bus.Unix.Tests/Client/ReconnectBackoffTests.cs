using System.Globalization;
using System.Text.RegularExpressions;
using Decnet.Bus.Unix.Tests.Support;
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
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.ReconnectMinDelay = TimeSpan.FromMilliseconds(100);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
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

    [GeneratedRegex(@"retrying in (\d+) ms")]
    private static partial Regex RetryDelay();
}
