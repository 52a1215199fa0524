using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Fuzz;

public sealed class HostileConnectionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HostileConnections_EachGetErrOrClose_WhileAWellBehavedClientGetsEveryEventInOrder()
    {
        var seed = FuzzInputs.Seed();
        var total = HostileConnections.Count();
        await using var broker = await LiveBroker.StartAsync(HostileConnections.Configure);

        // The well-behaved client publishes and subscribes on one connection, so its own PUBs keep it under the idle timeout.
        var good = broker.CreateClient("good", queueSize: 4096);
        await using var subscription = await good.SubscribeAsync("good.>");
        var baseline = broker.Server.GetStats().Connections.Count;
        GC.Collect();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Environment.WorkingSet;

        using var stop = new CancellationTokenSource();
        var wellBehaved = EchoTraffic.RunAsync(good, subscription, stop.Token);

        var clock = Stopwatch.StartNew();
        var outcomes = await HostileConnections.RunAsync(broker.SocketPath, total, seed);
        var hostileElapsed = clock.Elapsed;

        await stop.CancelAsync();
        var (sent, got) = await wellBehaved;

        output.WriteLine($"seed {seed}: {total} hostile connections in {hostileElapsed.TotalSeconds:0.0} s; well-behaved client sent {sent} and received {got} in order");
        foreach (var (kind, counts) in outcomes.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind,-24} ERR then close {counts[0],6}  close {counts[1],6}");
        }

        var stats = broker.Server.GetStats();
        foreach (var (reason, count) in stats.Rejections)
        {
            output.WriteLine($"  broker rejection {reason,-24} {count,6}");
        }

        Assert.Equal(total, outcomes.Values.Sum(c => c[0] + c[1]));
        Assert.True(sent > 0);
        Assert.Equal(sent, got);
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(0, subscription.Reconnected);

        // Every hostile connection is gone (each saw its close, which the broker does after unregistering it).
        Assert.Equal(baseline, stats.Connections.Count);

        GC.Collect();
        var managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap {managedBefore / 1024} KiB -> {managedAfter / 1024} KiB; RSS {rssBefore / (1024 * 1024)} MiB -> {Environment.WorkingSet / (1024 * 1024)} MiB");
        Assert.True(managedAfter - managedBefore < 20L * 1024 * 1024, $"managed heap grew by {(managedAfter - managedBefore) / 1024} KiB");
    }
}
