using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Broker.WarmUp;
using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Tests.Broker.WarmUp;

/// <summary>
/// The start-up warm-up (docs/performance-history-5.md, part 28): it runs the broker's real paths end to end, through a
/// hub and connection of its own, and leaves nothing behind, neither in that hub nor in the broker that started it.
/// </summary>
public sealed class BrokerWarmUpTests
{
    private static readonly BrokerLimits _limits = BrokerLimits.From(new DecnetBusOptions());

    [Fact]
    public async Task ARun_GetsBackEveryEventItPublishes_AndEndsItsConnection()
    {
        var hub = new BrokerHub(_limits, TimeProvider.System);

        var delivered = await BrokerWarmUp.RunAsync(hub, CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.Equal(BrokerWarmUp.Events, delivered);
        var stats = hub.GetStats();
        Assert.Equal(BrokerWarmUp.Events, stats.Published);
        Assert.Equal(BrokerWarmUp.Events, stats.Delivered);
        Assert.Equal(0, stats.Dropped);
        Assert.Empty(stats.Connections);
    }

    [Fact]
    public async Task ACancelledRun_Throws_AndEndsItsConnection()
    {
        var hub = new BrokerHub(_limits, TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BrokerWarmUp.RunAsync(hub, new CancellationToken(canceled: true)).WaitAsync(TestBroker.Bound));

        Assert.Empty(hub.GetStats().Connections);
    }

    [Fact]
    public async Task ALoggedRun_StoppedByItsBroker_SaysSo_AndLogsNothing()
    {
        var log = new RecordingLogger<BusServer>();

        var completed = await BrokerWarmUp.RunLoggedAsync(log, new CancellationToken(canceled: true)).WaitAsync(TestBroker.Bound);

        Assert.False(completed);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public async Task AFailedRun_IsOneWarningLine_NotAFault()
    {
        var log = new RecordingLogger<BusServer>();
        var refusing = new BrokerHub(_limits with { MaxConnections = 0 }, TimeProvider.System);

        var completed = await BrokerWarmUp.RunLoggedAsync(refusing, log, CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.True(completed);
        var (level, line) = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.StartsWith("The start-up warm-up failed (the broker already serves 0 connections)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGate_RunsOnce()
    {
        var gate = new WarmUpGate();
        var log = new RecordingLogger<BusServer>();

        var first = gate.StartOnce(log, CancellationToken.None);
        var second = gate.StartOnce(log, CancellationToken.None);
        await first.WaitAsync(TestBroker.Bound);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.Single(log.Lines, static line => line.StartsWith("Warmed up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AGate_OpensAgain_WhenItsBrokersStopCutTheRunShort()
    {
        var gate = new WarmUpGate();
        var log = new RecordingLogger<BusServer>();

        await gate.StartOnce(log, new CancellationToken(canceled: true)).WaitAsync(TestBroker.Bound);
        await gate.StartOnce(log, CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.Contains($"Warmed up: {BrokerWarmUp.Events} events", Assert.Single(log.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBrokersSettings_DoNotReachItsWarmUp()
    {
        // Each of these made the warm-up fail when it ran on the broker's own limits: a queue smaller than a burst
        // without catch-up waits dropped events, the topic's tokens and bytes were refused, and the ACL refused all.
        using var dir = new TempSocketDir();
        var acl = Path.Combine(dir.Path, "acl");
        await File.WriteAllLinesAsync(acl, ["publish > uid:2000000000", "subscribe > uid:2000000000"]);
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.QueueSize = 256;
        options.CatchUpWait = TimeSpan.Zero;
        options.MaxPatternTokens = 1;
        options.MaxTopicBytes = 8;
        options.AclFile = acl;
        var log = new RecordingLogger<BusServer>();
        await using var server = new BusServer(Options.Create(options), log) { WarmUpGate = new WarmUpGate() };
        await server.StartAsync(CancellationToken.None);

        await server.WarmUp.WaitAsync(TestBroker.Bound);

        Assert.Contains(log.Lines, static line => line.StartsWith($"Warmed up: {BrokerWarmUp.Events} events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABrokersWarmUp_LeavesNothingInItsCounters()
    {
        using var dir = new TempSocketDir();
        var log = new RecordingLogger<BusServer>();
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)), log) { WarmUpGate = new WarmUpGate() };
        await server.StartAsync(CancellationToken.None);

        await server.WarmUp.WaitAsync(TestBroker.Bound);

        Assert.Contains(log.Lines, static line => line.StartsWith($"Warmed up: {BrokerWarmUp.Events} events", StringComparison.Ordinal));
        var stats = server.GetStats();
        Assert.Equal(0, stats.Published);
        Assert.Equal(0, stats.Delivered);
        Assert.Empty(stats.Connections);
    }

    [Fact]
    public async Task AStop_AwaitsTheWarmUp_WithoutAWarning()
    {
        using var dir = new TempSocketDir();
        var log = new RecordingLogger<BusServer>();
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)), log) { WarmUpGate = new WarmUpGate() };
        await server.StartAsync(CancellationToken.None);

        await server.StopAsync(CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.True(server.WarmUp.IsCompletedSuccessfully);
        Assert.DoesNotContain(log.Lines, static line => line.Contains("warm-up failed", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Entries, static entry => entry.Level >= LogLevel.Warning);
    }
}
