using System.Globalization;
using Decnet.Bench.Load.Systems;

namespace Decnet.Bench.Load.Roles;

/// <summary><c>idle</c>: K connected clients with S subscriptions each, READY, then nothing until killed (W5).</summary>
internal static class IdleRole
{
    public static async Task<int> RunAsync(string system, RoleArgs args)
    {
        var sink = new SubscriberStats(args.Clients, 0, latency: false);
        var clients = new List<ILoadClient>(args.Clients);
        for (var c = 0; c < args.Clients; c++)
        {
            var client = await LoadClients.ConnectAsync(system, args.Target, string.Create(CultureInfo.InvariantCulture, $"bench-idle-{c}"), args.Size);
            var patterns = new string[args.Subs];
            for (var s = 0; s < patterns.Length; s++)
            {
                patterns[s] = string.Create(CultureInfo.InvariantCulture, $"{args.Topic}.c{c}.s{s}");
            }

            await client.SubscribeAsync(patterns, sink, c);
            clients.Add(client);
        }

        Console.Out.WriteLine("READY");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
