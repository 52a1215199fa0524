using System.Globalization;
using System.Text.RegularExpressions;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Options built in code skip the validator: reconnect delays out of its range (1 ms to a minute) are held to it, so a
/// zero delay does not make the reconnect loop spin and a negative one does not end it.
/// </summary>
public sealed partial class ReconnectDelayClampTests
{
    [Fact]
    public async Task ZeroReconnectDelays_SetInCode_WaitAtLeastOneMillisecondBetweenAttempts()
    {
        using var dir = new TempSocketDir();
        using var bound = new CancellationTokenSource(TestBroker.Bound);
        var (bus, time, logger) = await FirstAttemptFailedAsync(dir, TimeSpan.Zero, bound.Token);
        await using var owned = bus;

        // The first retry waits on the (fake) clock, armed before the line above: one millisecond lets it go.
        time.Advance(TimeSpan.FromMilliseconds(1));
        var line = await logger.NextLineAsync("retrying in", bound.Token);
        var delay = long.Parse(RetryDelay().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(delay >= 1, $"the second retry waits {delay} ms: \"{line}\"");
    }

    [Fact]
    public async Task NegativeReconnectDelays_SetInCode_DoNotEndTheLoop_TheClientConnectsOnceABrokerListens()
    {
        using var dir = new TempSocketDir();
        using var bound = new CancellationTokenSource(TestBroker.Bound);
        var (bus, time, _) = await FirstAttemptFailedAsync(dir, TimeSpan.FromMilliseconds(-5), bound.Token);
        await using var owned = bus;
        await using var broker = await TestBroker.StartAsync(o => o.SocketPath = dir.SocketPath);

        // The retry is due within 1.2 ms (1 ms plus jitter) of the failed attempt.
        time.Advance(TimeSpan.FromMilliseconds(2));
        await bus.WaitForGenerationAsync(1, bound.Token);
        Assert.True(bus.IsConnected);
    }

    /// <summary>A bus whose reconnect delays are both <paramref name="delay"/>, once its first attempt has failed.</summary>
    private static async Task<(UnixSocketBus Bus, FakeTimeProvider Time, RecordingLogger Logger)> FirstAttemptFailedAsync(
        TempSocketDir dir, TimeSpan delay, CancellationToken token)
    {
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.ReconnectMinDelay = delay;
        options.ReconnectMaxDelay = delay;
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new RecordingLogger();
        var bus = new UnixSocketBus(options, logger, time);
        try
        {
            await bus.PublishAsync("start", new { });
            await logger.NextLineAsync("Cannot reach the bus broker", token);
            return (bus, time, logger);
        }
        catch
        {
            await bus.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"retrying in (-?\d+) ms")]
    private static partial Regex RetryDelay();
}
