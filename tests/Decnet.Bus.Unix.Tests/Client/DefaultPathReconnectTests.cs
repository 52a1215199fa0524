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

        // No run directory, no home: no path at all. The first publish starts the client; once its first attempt has
        // failed (the state stays down until a connect), publishing only counts the loss. A publish during that first
        // attempt is queued, and a queued one the broker's arrival would deliver instead.
        await bus.PublishAsync("decky.d1.state", new { });
        Assert.True(
            SpinWait.SpinUntil(() => ((IBusConnectionStatus)bus).State == BusConnectionState.Disconnected, TestBroker.Bound),
            "the first attempt did not fail");
        var dropped = bus.Counters.Dropped;
        await bus.PublishAsync("decky.d1.state", new { });
        Assert.Equal(dropped + 1, bus.Counters.Dropped);
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
