using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Interop;
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

        // A well-behaved client of the other protocol, the Python bus's (docs/text-protocol.md), reads the same stream.
        await using var python = await GoodPythonClientAsync(broker.SocketPath, good);
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

        if (python is not null)
        {
            var (received, last) = await ReadPythonStreamAsync(python, sent);
            var dropped = Assert.Single(stats.Connections, c => c.Name == "py-good").Dropped;
            output.WriteLine($"the Python-protocol client received {received} of {sent} in order (the last one {last}), {dropped} dropped by its queue");
            Assert.Equal(sent - 1, last);
            Assert.Equal(sent, received + dropped);
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

    /// <summary>A Python-protocol subscriber to the well-behaved stream, or null (with a note) where python3 is missing and CI does not require it.</summary>
    private async Task<PythonTextClient?> GoodPythonClientAsync(string socketPath, UnixSocketBus good)
    {
        if (!File.Exists(PythonClient.Interpreter) && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            output.WriteLine($"no Python-protocol client in this run: {PythonClient.Interpreter} is missing; {StdlibPythonFactAttribute.InstallHint}");
            return null;
        }

        var python = await PythonTextClient.StartAsync(socketPath, "py-good");
        await using var sync = await good.SubscribeAsync("sync.python");
        await python.SendAsync("sub good.>");
        await python.SendAsync("""pub sync.python sync {}""");
        await using var events = sync.GetAsyncEnumerator(CancellationToken.None);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(LiveBroker.Bound), "the sync subscription ended");
        return python;
    }

    /// <summary>Reads the Python client's events up to the last one sent: how many arrived, the last sequence number; checks they come in order.</summary>
    private static async Task<(int Received, int Last)> ReadPythonStreamAsync(PythonTextClient python, int sent)
    {
        var received = 0;
        var last = -1;
        while (last < sent - 1)
        {
            var (topic, body) = await python.NextEventAsync();
            Assert.Equal("good.seq", topic);
            var n = body.GetProperty("payload").GetProperty("n").GetInt32();
            Assert.True(n > last, $"the Python client received {n} after {last}");
            last = n;
            received++;
        }

        return (received, last);
    }
}
