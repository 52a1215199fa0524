using System.Text.Json;
using Decnet.Bench.Load.Systems;

namespace Decnet.Bench.Load.Roles;

/// <summary><c>pub</c>: publishes N events (round-robin over the topics, optionally paced), then the end marker.</summary>
internal static class PublisherRole
{
    public static async Task<int> RunAsync(string system, RoleArgs args)
    {
        var client = await LoadClients.ConnectAsync(system, args.Target, "bench-pub", args.Size);
        var topics = args.Topics();
        var count = args.Count;
        var interval = args.PaceMicroseconds * 1000L;
        long start = 0;
        double cpuStart = 0;

        // The loop runs on its own thread, not a pool worker: a busy-waiting pacer must not starve the client's
        // own send loop of pool threads on a 2-core box (that would add latency the transport did not cause).
        var warmup = args.Warmup;
        var loop = new Thread(() =>
        {
            if (warmup > 0)
            {
                // Every process starts cold (JIT, first connections, lazily built serializers): the first few hundred
                // milliseconds of a latency run (or of W1S, W2S) would time start-up, not the transport. Same for every system.
                Publish(client, topics, warmup, interval, RoleArgs.WarmupStamp, catchUp: false);
                Wait(client.FlushAsync());
                Thread.Sleep(100);
            }

            cpuStart = Environment.CpuUsage.TotalTime.TotalSeconds;
            start = Publish(client, topics, count, interval, stamp: null, catchUp: true);
        })
        { IsBackground = true, Name = "bench-pub" };
        loop.Start();
        loop.Join();

        await client.FlushAsync();
        var end = Monotonic.Now();
        await client.PublishEndAsync(topics[0]);
        await client.FlushAsync();
        var dropped = client.Dropped;
        await client.DisposeAsync();
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["role"] = "pub",
            ["sent"] = count,
            ["client_dropped"] = dropped,
            ["start"] = start,
            ["end"] = end,
            ["cpu_s"] = Environment.CpuUsage.TotalTime.TotalSeconds,
            ["cpu_start_s"] = cpuStart,
        }));
        return 0;
    }

    /// <summary>
    /// Publishes <paramref name="count"/> events; each carries <paramref name="stamp"/>, or its send time when null.
    /// Paced, a publisher that fell behind its schedule catches up back to back when <paramref name="catchUp"/>, and
    /// otherwise goes on from where it is: a warm-up whose first (cold) publishes were slow must not become a burst
    /// that is still in flight when the measured events start (docs/performance-history-2.md, part 8).
    /// </summary>
    private static long Publish(ILoadClient client, string[] topics, long count, long interval, long? stamp, bool catchUp)
    {
        var start = Monotonic.Now();
        var next = start;
        for (long i = 0; i < count; i++)
        {
            var sentAt = stamp ?? start;
            if (interval > 0)
            {
                // Busy-wait pacing: a timer cannot wake every 100 µs.
                while (Monotonic.Now() < next)
                {
                }

                var now = Monotonic.Now();
                next = (catchUp ? next : Math.Max(next, now)) + interval;
                sentAt = stamp ?? now;
            }

            Wait(client.PublishAsync(topics[i % topics.Length], sentAt));
            if (interval > 0 && client.BuffersWrites)
            {
                Wait(client.FlushAsync());
            }
        }

        return start;
    }

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
