using System.Globalization;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

/// <summary>
/// Connections that never read, each with many overlapping subscriptions (so every queued EVT carries a long sid
/// list), under a flood: the broker's queues together stay within DECNET_BUS_MAX_TOTAL_QUEUE_BYTES, by its own count
/// and by the resident memory of <c>decnet bus</c> in its own process (docs/Service-Bus.md, "Broker limits").
/// </summary>
public sealed class TotalQueueMemoryTests(ITestOutputHelper output)
{
    private const long _totalBytes = 16L * 1024 * 1024;
    private const long _perConnectionBytes = 8L * 1024 * 1024;

    /// <summary>What the runtime may add besides the queues (GC heap growth, pooled buffers, stuck send batches).</summary>
    private const long _slack = 24L * 1000 * 1000;

    private const int _hogs = 8;
    private const int _subscriptionsEach = 64;
    private const int _events = 60_000;

    [Fact]
    public async Task Flood_ToConnectionsWithOverlappingSubscriptions_StaysWithinTheTotalBound()
    {
        var directory = Directory.CreateTempSubdirectory("dnq").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        var hogs = new List<RawPeer>();
        try
        {
            await using var broker = await BrokerProcess.StartAsync(socketPath, new Dictionary<string, string>
            {
                [DecnetBusVariables.MaxTotalQueueBytes] = _totalBytes.ToString(CultureInfo.InvariantCulture),
                [DecnetBusVariables.MaxQueueBytes] = _perConnectionBytes.ToString(CultureInfo.InvariantCulture),

                // The hogs never read: on a loaded machine the flood may outlast the stall and idle timeouts.
                [DecnetBusVariables.StallTimeoutSeconds] = "0",
                [DecnetBusVariables.IdleTimeoutSeconds] = "0",
                [DecnetBusVariables.HeartbeatSeconds] = "0", // the hogs' ">" would count heartbeats among the deliveries
            });
            for (var h = 0; h < _hogs; h++)
            {
                var hog = await RawPeer.ConnectAsync(socketPath, queueSize: 65_536, name: $"hog-{h}");
                hogs.Add(hog);
                await hog.SendAsync(FrameBytes.Of(b =>
                {
                    for (var sid = 1u; sid <= _subscriptionsEach; sid++)
                    {
                        FrameWriter.WriteSub(b, sid, (sid % 3) switch { 0 => "hog.>", 1 => "hog.*", _ => ">" });
                    }
                }));
                for (var i = 0; i < _subscriptionsEach; i++)
                {
                    Assert.Equal(FrameKind.SubAck, (await hog.ReadFrameAsync()).Kind);
                }
            }

            var flood = FrameBytes.Of(b =>
            {
                for (var i = 0; i < _events; i++)
                {
                    FrameWriter.WritePub(b, "hog.x", "t", EventId.NewId(), 1.0, new { n = i, pad = new string('p', 64) });
                }

                FrameWriter.WriteSimple(b, FrameKind.Ping);
            });

            ProcStatus.ResetPeak(broker.Pid);
            var rssBefore = ProcStatus.Bytes(broker.Pid, "VmRSS");
            await using var publisher = await RawPeer.ConnectAsync(socketPath, name: "flood");
            await publisher.SendAsync(flood);
            Assert.Equal(FrameKind.Pong, (await publisher.ReadFrameAsync()).Kind); // every PUB routed
            var peak = ProcStatus.Bytes(broker.Pid, "VmHWM");

            var options = LiveBroker.NewOptions(socketPath);
            options.ClientName = "observer";
            await using var observer = new UnixSocketBus(options);
            var rows = (await observer.GetBrokerStatsAsync()).Connections.Where(r => r.Name.StartsWith("hog-", StringComparison.Ordinal)).ToList();
            var queued = rows.Sum(r => r.QueuedBytes);
            var dropped = rows.Sum(r => r.Dropped);
            output.WriteLine($"{_hogs} connections x {_subscriptionsEach} subscriptions, {_events} events: queued {queued / 1e6:0.0} MB (bound {_totalBytes / 1e6:0.0} MB), dropped {dropped}; broker RSS {rssBefore / 1e6:0.0} MB before, peak {peak / 1e6:0.0} MB ({(peak - rssBefore) / 1e6:+0.0;-0.0} MB)");

            Assert.Equal(_hogs, rows.Count);
            Assert.True(queued <= _totalBytes, $"the hogs hold {queued} queued bytes");
            Assert.Equal(_hogs * (long)_events, rows.Sum(r => r.Delivered));
            Assert.True(dropped > 0);
            Assert.True(peak - rssBefore < _totalBytes + _slack, $"broker peak RSS grew by {(peak - rssBefore) / 1e6:0.0} MB");
        }
        finally
        {
            foreach (var hog in hogs)
            {
                await hog.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
