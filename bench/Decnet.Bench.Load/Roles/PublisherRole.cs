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
        var start = Monotonic.Now();
        var next = start;
        for (long i = 0; i < count; i++)
        {
            var stamp = start;
            if (interval > 0)
            {
                // Busy-wait pacing: a timer cannot wake every 100 µs.
                while (Monotonic.Now() < next)
                {
                }

                next += interval;
                stamp = Monotonic.Now();
            }

            var publish = client.PublishAsync(topics[i % topics.Length], stamp);
            if (!publish.IsCompletedSuccessfully)
            {
                await publish;
            }

            if (interval > 0)
            {
                await client.FlushAsync();
            }
        }

        await client.FlushAsync();
        var end = Monotonic.Now();
        await client.PublishEndAsync(topics[0]);
        await client.FlushAsync();
        await client.DisposeAsync();
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["role"] = "pub", ["sent"] = count, ["start"] = start, ["end"] = end, ["cpu_s"] = Environment.CpuUsage.TotalTime.TotalSeconds }));
        return 0;
    }
}
