using System.Globalization;
using System.Text.Json;
using Decnet.Bench.Load.Systems;

namespace Decnet.Bench.Load.Roles;

/// <summary><c>sub</c>: K client connections subscribe, print READY, count until the end marker or idle, print JSON.</summary>
internal static class SubscriberRole
{
    public static async Task<int> RunAsync(string system, RoleArgs args)
    {
        var stats = new SubscriberStats(args.Clients, args.Count, args.Latency, args.SkipWarmup);
        List<string> patterns = [.. args.Topics()];
        if (args.Literals > 0)
        {
            patterns.Add(args.IdleWildcard);
        }

        var clients = new List<ILoadClient>();
        for (var c = 0; c < args.Clients; c++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"bench-{args.Get("name", "sub")}-{c}");
            var client = await LoadClients.ConnectAsync(system, args.Target, name, args.Size);
            clients.Add(client);
            if (client is DecnetLoadClient decnet)
            {
                decnet.UseHandlers = args.Handlers;
                decnet.Inline = args.Inline;
            }

            await client.SubscribeAsync(patterns, stats, c);
        }

        Console.Out.WriteLine("READY");
        Console.Out.Flush();

        string? note = null;
        var tick = Monotonic.Now();
        while (!stats.AllEnded)
        {
            await Task.Delay(20);
            var now = Monotonic.Now();
            if (now - tick > 1_000_000_000)
            {
                // This process was suspended (W6 SIGSTOPs it): idle time starts again from the resume.
                stats.Touch();
            }

            tick = now;

            // Before the first event the publisher may still be starting (a cold .NET process takes seconds on a
            // loaded machine), so the idle bound is at least 30 s until events flow.
            var idleNs = args.Idle.Ticks * 100;
            if (stats.First == 0)
            {
                idleNs = Math.Max(idleNs, 30_000_000_000);
            }

            if (now - stats.LastActivity > idleNs)
            {
                note = "idle timeout before end marker";
                break;
            }
        }

        var result = new Dictionary<string, object?>
        {
            ["role"] = "sub",
            ["received"] = stats.Received(),
            ["client_dropped"] = clients.ConvertAll(c => c.Dropped),
            ["first"] = stats.First,
            ["last"] = stats.LastEvent,
            ["note"] = note,
            ["cpu_s"] = Environment.CpuUsage.TotalTime.TotalSeconds,
            ["cpu_start_s"] = stats.CpuAtFirst,
            ["skipped"] = stats.Skipped(),
        };
        if (args.Latency)
        {
            result["latency_us"] = stats.LatencyPercentiles();
            if (Environment.GetEnvironmentVariable("DECNET_BENCH_LATENCY_TRACE") is { Length: > 0 } trace)
            {
                // Diagnostics: every latency in arrival order, to tell a backlog from isolated stalls.
                stats.WriteLatencies(trace);
            }
        }

        Console.Out.WriteLine(JsonSerializer.Serialize(result));
        Console.Out.Flush();
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return 0;
    }
}
