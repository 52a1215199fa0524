using System.Globalization;
using System.Runtime.InteropServices;
using Decnet.Bench.Load.Roles;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>
/// <c>run</c>: every workload on every system, <c>--runs</c> times, interleaved (run 1 of all, then run 2, ...) so
/// machine noise spreads over the systems alike; writes PREFIX.md and PREFIX.json.
/// </summary>
internal static class Orchestrator
{
    public static async Task<int> RunAsync(RoleArgs args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        IReadOnlyList<string> prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(Orchestrator).Assembly.Location] : [];
        var settings = new BenchSettings(
            TempDir: args.Get("tmp", Path.GetTempPath()),
            DecnetCli: args.Get("decnet", "decnet"),
            NatsBench: args.Get("natsbench", "natsbench"),
            NatsServer: args.Get("nats-server", "nats-server"),
            RedisServer: args.Get("redis-server", "redis-server"),
            SelfFile: self,
            SelfPrefix: prefix,
            Systems: args.Get("systems", "decnet,nats,bridge,redis,raw,hop").Split(','),
            Workloads: args.Get("workloads", "W1,W1I,W1S,W1P,W2,W2S,W3,W3I,W4,W5,W6").Split(','),
            Runs: args.Int("runs", 3),
            Quick: args.Get("quick", "false") == "true");

        var loadBefore = LoadAverage();
        var unsupported = new Dictionary<string, string>(StringComparer.Ordinal);
        var runs = new List<RunResult>();
        var runner = new WorkloadRunner(settings);
        for (var run = 1; run <= settings.Runs; run++)
        {
            foreach (var workload in settings.Workloads)
            {
                foreach (var system in settings.Systems)
                {
                    if (WorkloadRunner.Unsupported(system, workload) is { } why)
                    {
                        unsupported[$"{system}/{workload}"] = why;
                        continue;
                    }

                    Console.Error.Write($"run {run}/{settings.Runs} {workload} {system} ... ");
                    try
                    {
                        var result = await runner.RunAsync(system, workload, run);
                        runs.Add(result);
                        Console.Error.WriteLine(string.Join(", ", result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}={m.Value:0.##}"))) + (result.Notes.Count > 0 ? " [" + string.Join("; ", result.Notes) + "]" : string.Empty));
                    }
                    catch (Exception ex)
                    {
                        Console.Error.WriteLine($"FAILED: {ex.Message}");
                        runs.Add(new RunResult(system, workload, run, [], [$"failed: {ex.Message}"]));
                    }
                }
            }
        }

        var machine = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = Environment.MachineName,
            ["cpus"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["peers"] = args.Get("versions", string.Empty),
            ["command"] = args.Get("command", string.Empty),
            ["loadavg_before"] = loadBefore,
            ["loadavg_after"] = LoadAverage(),
        };
        var header = $"""
            # Decnet.Core side-by-side benchmark{(settings.Quick ? " (--quick)" : string.Empty)}

            Machine: {machine["host"]}, {machine["cpus"]} CPUs, {machine["os"]}, {machine["dotnet"]}; load average before/after: {machine["loadavg_before"]} / {machine["loadavg_after"]} (other work on the box inflates latencies).
            Peers: {machine["peers"]}.
            Command: `{machine["command"]}`. Each cell is the median of {settings.Runs} runs made in this one invocation.
            NATS client: the official Go client (nats.go, Debian package), built offline in GOPATH mode from bench/nats-go.
            W3 begins with {WorkloadSizes.W3Warmup.ToString("N0", CultureInfo.InvariantCulture)} unmeasured warm-up events at the same pace (never caught up in a burst when the cold start runs late), then 100 ms of quiet (every system), so its latencies time the transport, not process start-up.
            W1S is W1 after {WorkloadSizes.Full.W1SWarmup.ToString("N0", CultureInfo.InvariantCulture)} unmeasured events back to back ({WorkloadSizes.Quick.W1SWarmup.ToString("N0", CultureInfo.InvariantCulture)} with --quick) and 100 ms of quiet (every system): its rate and its client CPU leave out process start-up, first connections and first compilations, which W1's one-second window includes; its server CPU covers warm-up and measured deliveries alike.
            W2S is W2 after {WorkloadSizes.Full.W2SWarmup.ToString("N0", CultureInfo.InvariantCulture)} unmeasured events ({WorkloadSizes.Quick.W2SWarmup.ToString("N0", CultureInfo.InvariantCulture)} with --quick), each delivered to all ten connections, the same way: the fan-out's steady state.
            W4's wildcard is `bench.*.idle`: the matcher must consult it, the traffic never matches it. Decnet's W4 subscriber consumes through the handler API with inline delivery (docs/dotnet-hosts.md); its other subscribers through IAsyncEnumerable.
            W1I is W1 with Decnet's enumerable subscriber asking for inline delivery (SubscriptionOptions.InlineDelivery): it resumes on its connection's receive thread instead of the bus's resume thread or the thread pool, as a consumer that only counts may (decnet only; W1 keeps the default). W3I is W3 with the same option.
            W1P is W1 with a second subscriber speaking decnet bus's Python text protocol (docs/text-protocol.md): a .NET load role, so the broker's JSON translation is measured, not Python's speed (decnet only).
            W6 stalls a subscriber with SIGSTOP (it reads nothing, not even its socket) until the publisher is done.
            bridge: Decnet clients publish on `decnet bus` A and subscribe on `decnet bus` B; `decnet bridge` A exports the topic to nats-server, `decnet bridge` B imports it (docs/cross-host.md). Its server CPU is the sum of all five processes.

            """;
        var output = args.Get("out", Path.Combine(settings.TempDir, "results"));
        await File.WriteAllTextAsync(output + ".md", Report.Markdown(settings, runs, unsupported, header));
        await File.WriteAllTextAsync(output + ".json", Report.Json(settings, runs, unsupported, machine));
        Console.Error.WriteLine($"wrote {output}.md and {output}.json");
        return 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
