using System.Diagnostics;
using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

/// <summary>
/// A client that asks for STATS and never reads pins one snapshot, not one per request: replies share the snapshot in
/// flight and the control lane is bounded (docs/wire-protocol.md, "STATS"). Measured on <c>decnet bus</c> in its own
/// process.
/// </summary>
public sealed class ControlReplyMemoryTests(ITestOutputHelper output)
{
    /// <summary>The issue's bound on the broker's peak RSS growth.</summary>
    internal const long RssBound = 32L * 1000 * 1000;

    private const int _requests = 10_000;

    /// <summary>Idle connections with the longest name, so one STATS reply is large (about 40 KiB here).</summary>
    private const int _idleConnections = 256;

    [Fact]
    public async Task TenThousandUnreadStats_InterleavedWithPublishes_GrowBrokerPeakRssByLessThan32MB()
    {
        var directory = Directory.CreateTempSubdirectory("dnc").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        var idle = new List<RawPeer>();
        try
        {
            // All the peers are this process's uid: lift the per-uid cap (its own test is ConnectionCapTests).
            await using var broker = await BrokerProcess.StartAsync(socketPath, new Dictionary<string, string>
            {
                [DecnetBusVariables.MaxConnectionsPerUid] = "1024",
            });
            var longName = new string('n', 128);
            for (var i = 0; i < _idleConnections; i++)
            {
                idle.Add(await RawPeer.ConnectAsync(socketPath, name: longName));
            }

            var options = LiveBroker.NewOptions(socketPath);
            options.ClientName = "observer";
            await using var observer = new UnixSocketBus(options);
            var sized = await observer.GetBrokerStatsAsync();
            Assert.Equal(_idleConnections + 1, sized.Connections.Count);

            // Each STATS is followed by a PUB (to a topic nobody reads), so every request sees changed counters: a
            // broker that built a reply per request would hold 10,000 distinct snapshots.
            var flood = FrameBytes.Of(b =>
            {
                for (var i = 0; i < _requests; i++)
                {
                    FrameWriter.WriteSimple(b, FrameKind.Stats);
                    FrameWriter.WritePub(b, "flood.nobody", "t", EventId.NewId(), 1.0, new { n = i });
                }
            });

            ProcStatus.ResetPeak(broker.Pid);
            var rssBefore = ProcStatus.Bytes(broker.Pid, "VmRSS");
            await using var flooder = await RawPeer.ConnectAsync(socketPath, name: "flooder");
            try
            {
                await flooder.SendAsync(flood);
            }
            catch (SocketException)
            {
                // The broker may cut the flooder (ERR 9) before it has written everything.
            }

            // Every request read (the flooder's row counts them all) or the flooder cut: each check is a STATS round
            // trip on the observer's connection, bounded.
            var row = await WaitForFlooderAsync(observer);
            var peak = ProcStatus.Bytes(broker.Pid, "VmHWM");
            output.WriteLine($"reply of {sized.Connections.Count} rows; flooder {(row is null ? "cut" : $"published {row.Published}, queued {row.Queued}")}; broker RSS {rssBefore / 1e6:0.0} MB before, peak {peak / 1e6:0.0} MB ({(peak - rssBefore) / 1e6:+0.0;-0.0} MB)");
            Assert.True(peak - rssBefore < RssBound, $"broker peak RSS grew by {(peak - rssBefore) / 1e6:0.0} MB");
        }
        finally
        {
            foreach (var peer in idle)
            {
                await peer.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<BrokerConnectionStats?> WaitForFlooderAsync(UnixSocketBus observer)
    {
        var bound = Stopwatch.StartNew();
        while (true)
        {
            var stats = await observer.GetBrokerStatsAsync();
            var row = stats.Connections.FirstOrDefault(r => r.Name == "flooder");
            if (row is null || row.Published == _requests)
            {
                return row;
            }

            Assert.True(bound.Elapsed < LiveBroker.Bound, $"the broker has read {row.Published} of {_requests} requests after {bound.Elapsed}");
        }
    }
}
