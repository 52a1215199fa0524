using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A misconfigured worker must be visible at the default log level: one warning naming the socket while the broker
/// cannot be reached (not one per retry), and one line when it connects (docs/operations.md, "Debugging").
/// </summary>
public sealed class ConnectionLoggingTests
{
    [Fact]
    public async Task UnreachableBroker_LogsOneWarningNamingThePath_ThenOneLineWhenItConnects()
    {
        using var dir = new TempSocketDir();
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(20);
        var log = new ListLogger<UnixSocketBus>();
        await using var bus = new UnixSocketBus(options, log);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        await bus.PublishAsync("a.b", new { });
        await log.WaitUntilAsync(l => l.Entries.Count(IsRetry) >= 5, timeout.Token);

        var warning = Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(dir.SocketPath, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning.Message);
        Assert.Equal(0, log.Count(LogLevel.Information));

        await using var server = new BusServer(Microsoft.Extensions.Options.Options.Create(TestBroker.NewOptions(dir.SocketPath)));
        await server.StartAsync(CancellationToken.None);
        await bus.WaitForGenerationAsync(1, timeout.Token);

        var connected = Assert.Single(log.Entries, e => e.Level == LogLevel.Information);
        Assert.Contains(dir.SocketPath, connected.Message, StringComparison.Ordinal);
        Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task BrokerLost_WarnsOnceForTheOutage()
    {
        await using var broker = await TestBroker.StartAsync();
        var options = TestBroker.NewOptions(broker.SocketPath);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(20);
        var log = new ListLogger<UnixSocketBus>();
        await using var bus = new UnixSocketBus(options, log);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await bus.PublishAsync("a.b", new { });
        await bus.WaitForGenerationAsync(1, timeout.Token);

        await broker.Server.StopAsync(CancellationToken.None);
        await log.WaitUntilAsync(l => l.Entries.Count(IsRetry) >= 5, timeout.Token);

        Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Connected", StringComparison.Ordinal));
    }

    private static bool IsRetry((LogLevel Level, string Message) entry)
        => entry.Level == LogLevel.Debug && entry.Message.Contains("retrying", StringComparison.Ordinal);
}
