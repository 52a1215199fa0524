using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A client whose socket path was not set follows the default at each reconnect attempt: systemd removes and recreates
/// /run/decnet around a restart, and a worker started in between must still find the broker once it is back
/// (docs/operations.md, "Where the socket is"). A path that was set stays fixed.
/// </summary>
public sealed class DefaultPathReconnectTests
{
    [Fact]
    public async Task ADefaultPath_IsResolvedAgainAtEachAttempt_SoTheClientFindsABrokerWhoseRunDirectoryAppearedLater()
    {
        using var dir = new TempSocketDir();
        var run = Path.Combine(dir.Path, "run");
        var options = ReconnectingOptions();
        options.DefaultSocketPathSource = () => DecnetBusOptions.DefaultSocketPath(run, string.Empty, null);
        await using var bus = new UnixSocketBus(options);

        // No run directory, no home: no path at all. A flush starts the client and fails once an attempt has: no event
        // of the test's own is in flight when the count is read (a first publish, queued during the first attempt, was
        // counted only after the state went down, and the publish after it read as two losses).
        await Assert.ThrowsAsync<BusUnavailableException>(() => bus.FlushAsync());
        Assert.Equal(0, bus.Counters.Dropped);

        // Lost and counted, never delivered later: at once while down, or when the attempt in progress fails (the
        // attempts cycle every few milliseconds here, and each fails at once).
        await bus.PublishAsync("decky.d1.state", new { });
        Assert.True(
            SpinWait.SpinUntil(() => bus.Counters.Dropped == 1, TestBroker.Bound),
            $"the publish was not counted as lost: dropped {bus.Counters.Dropped}");
        Assert.Equal(string.Empty, bus.SocketPath);

        Directory.CreateDirectory(run);
        await using var broker = new BusServer(Microsoft.Extensions.Options.Options.Create(TestBroker.NewOptions(Path.Combine(run, "bus.sock"))));
        await broker.StartAsync(CancellationToken.None);

        await bus.WaitForGenerationAsync(1, CancellationToken.None).WaitAsync(TestBroker.Bound);
        Assert.Equal(Path.Combine(run, "bus.sock"), bus.SocketPath);
    }

    [Fact]
    public async Task AnExplicitPath_StaysFixed_WhateverTheDefaultBecomes()
    {
        using var dir = new TempSocketDir();
        var explicitPath = Path.Combine(dir.Path, "explicit.sock");
        var options = ReconnectingOptions();
        options.SocketPath = explicitPath;
        var resolutions = 0;
        options.DefaultSocketPathSource = () =>
        {
            Interlocked.Increment(ref resolutions);
            return Path.Combine(dir.Path, "default.sock");
        };
        await using var bus = new UnixSocketBus(options);

        await bus.PublishAsync("decky.d1.state", new { });
        await using var broker = new BusServer(Microsoft.Extensions.Options.Options.Create(TestBroker.NewOptions(explicitPath)));
        await broker.StartAsync(CancellationToken.None);
        await bus.WaitForGenerationAsync(1, CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.Equal(explicitPath, bus.SocketPath);
        Assert.Equal(0, Volatile.Read(ref resolutions));
    }

    private static DecnetBusOptions ReconnectingOptions() => new()
    {
        Group = string.Empty,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(5),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(20),
        HeartbeatInterval = TimeSpan.Zero,
    };
}
