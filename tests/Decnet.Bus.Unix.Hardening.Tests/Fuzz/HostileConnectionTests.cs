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
    /// <summary>CI runs this many; scripts/fuzz.sh raises it with DECNET_FUZZ_CONNECTIONS.</summary>
    internal const int DefaultConnections = 1500;
    internal const int Parallelism = 64;

    private static readonly string[] _kinds =
    [
        "garbage", "half-hello-silence", "hello-half-pub-silence", "huge-length", "hello-garbage", "sub-flood", "silence",
        "hello-deep-payload", "hello-huge-length", "hello-bad-topic",
    ];

    [Fact]
    public async Task HostileConnections_EachGetErrOrClose_WhileAWellBehavedClientGetsEveryEventInOrder()
    {
        var seed = FuzzInputs.Seed();
        var total = FuzzInputs.Iterations("DECNET_FUZZ_CONNECTIONS", DefaultConnections);
        await using var broker = await LiveBroker.StartAsync(o =>
        {
            o.MaxConnections = 4096;
            o.MaxSubscriptionsPerConnection = 64;
            o.MaxFrameBytes = 64 * 1024;
            o.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
            o.IdleTimeout = TimeSpan.FromSeconds(2);
        });

        // The well-behaved client publishes and subscribes on one connection, so its own PUBs keep it under the idle timeout.
        var good = broker.CreateClient("good", queueSize: 4096);
        await using var subscription = await good.SubscribeAsync("good.>");
        var baseline = broker.Server.GetStats().Connections.Count;
        GC.Collect();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Environment.WorkingSet;

        using var stop = new CancellationTokenSource();
        var wellBehaved = PublishAndReceiveAsync(good, subscription, stop.Token);

        var outcomes = new Dictionary<string, int[]>(StringComparer.Ordinal); // kind -> [err, closed]
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var random = new Random(HashCode.Combine(seed, i));
            var kind = _kinds[i % _kinds.Length];
            var error = await RunHostileAsync(broker.SocketPath, kind, random);
            lock (outcomes)
            {
                var counts = outcomes.TryGetValue(kind, out var c) ? c : outcomes[kind] = new int[2];
                counts[error is null ? 1 : 0]++;
            }
        });
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

    /// <summary>
    /// Publishes sequence numbers in windows of 50 and reads each window back before the next, checking order, until
    /// stopped. Returns (sent, received in order).
    /// </summary>
    private static async Task<(int Sent, int Received)> PublishAndReceiveAsync(UnixSocketBus bus, IBusSubscription subscription, CancellationToken stop)
    {
        await Task.Yield();
        var sent = 0;
        var received = 0;
        await using var events = subscription.GetAsyncEnumerator(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < 50; i++)
            {
                await bus.PublishAsync("good.seq", new { n = sent }, type: sent.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
                sent++;
            }

            while (received < sent)
            {
                var next = events.MoveNextAsync().AsTask();
                Assert.True(await next.WaitAsync(LiveBroker.Bound), "the subscription ended");
                Assert.Equal(received.ToString(CultureInfo.InvariantCulture), events.Current.Type);
                received++;
            }
        }

        return (sent, received);
    }

    /// <summary>Plays one hostile peer, then reads until the broker closes. Returns the ERR code, or null for a bare close.</summary>
    private static async Task<BusErrorCode?> RunHostileAsync(string path, string kind, Random random)
    {
        await using var peer = new RawPeer();
        await peer.Socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        try
        {
            await peer.SendAsync(Bytes(kind, random));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The broker closed while a flood was still being written: that is the close we wait for.
            return null;
        }

        // A peer that then stays silent simply waits: the broker's handshake or idle timeout ends it.
        return await peer.ReadUntilClosedAsync(LiveBroker.Bound);
    }

    private static byte[] Bytes(string kind, Random random)
    {
        var hello = RawPeer.Hello();
        var pub = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80]));
        switch (kind)
        {
            case "garbage":
                var garbage = new byte[random.Next(1, 200)];
                random.NextBytes(garbage);
                return garbage;
            case "half-hello-silence":
                return hello[..random.Next(1, hello.Length)];
            case "hello-half-pub-silence":
                return [.. hello, .. pub[..random.Next(1, pub.Length)]];
            case "huge-length":
                var huge = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(huge, (uint)random.NextInt64(64 * 1024 + 1, uint.MaxValue));
                return huge;
            case "hello-garbage":
                var tail = new byte[random.Next(5, 100)];
                random.NextBytes(tail);
                BinaryPrimitives.WriteUInt32BigEndian(tail, (uint)(tail.Length - 4)); // a complete frame of garbage
                return [.. hello, .. tail];
            case "sub-flood":
                var flood = new List<byte>(hello);
                for (var sid = 0u; sid < 2000; sid++)
                {
                    flood.AddRange(FrameBytes.Of(b => FrameWriter.WriteSub(b, sid, "flood.*.>")));
                }

                return [.. flood];
            case "silence":
                return [];
            case "hello-deep-payload":
                var depth = random.Next(65, 60_000);
                var deep = new byte[pub.Length + 1 + depth];
                pub.AsSpan(0, pub.Length - 1).CopyTo(deep);
                deep[pub.Length - 1] = 0x81;
                deep[pub.Length] = 0xc0;
                deep.AsSpan(pub.Length + 1, depth - 1).Fill(0x91);
                deep[^1] = 0xc0;
                BinaryPrimitives.WriteUInt32BigEndian(deep, (uint)(deep.Length - 4));
                return [.. hello, .. deep];
            case "hello-huge-length":
                return [.. hello, 0xff, 0xff, 0xff, 0xff];
            default:
                return [.. hello, .. FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "bad..topic", "t", "x", 1.0, [0x80]))];
        }
    }
}
