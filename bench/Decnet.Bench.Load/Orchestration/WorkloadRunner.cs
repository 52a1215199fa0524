using System.Globalization;
using System.Text.Json;
using Decnet.Bench.Load.Systems;
using Decnet.Bus;
using Decnet.Bus.Unix;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>Runs one workload once on one system: fresh server, subscriber process(es), publisher process, metrics.</summary>
internal sealed class WorkloadRunner(BenchSettings settings)
{
    private static readonly TimeSpan _readyBound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan _runBound = TimeSpan.FromSeconds(600);

    private readonly WorkloadSizes _sizes = settings.Quick ? WorkloadSizes.Quick : WorkloadSizes.Full;

    /// <summary>Why a system cannot express a workload, or null when it can.</summary>
    public static string? Unsupported(string system, string workload) => (system, workload) switch
    {
        (LoadClients.Raw, "W4") => "no topics or matching in the raw relay",
        (LoadClients.Raw, "W6") => "the raw relay has no queues or drops: a stalled reader stalls it",
        (not LoadClients.Decnet, "W1P") => "W1P's second subscriber speaks decnet bus's Python text protocol",
        (not LoadClients.Decnet, "W1I" or "W3I") => "its subscriber asks for decnet's inline delivery (SubscriptionOptions.InlineDelivery)",
        (LoadClients.Hop, "W1" or "W1S" or "W3") => null,
        (LoadClients.Hop, _) => "the no-broker hop is one publisher socket straight into one subscriber: W1, W1S and W3 only",
        (LoadClients.Bridge, "W1" or "W1S" or "W3") => null,
        (LoadClients.Bridge, _) => "the bridged path (broker A → bridge → nats-server → bridge → broker B) is measured for W1, W1S and W3 only",
        _ => null,
    };

    public async Task<RunResult> RunAsync(string system, string workload, int run)
    {
        var tag = string.Create(CultureInfo.InvariantCulture, $"{workload}-{run}");
        var result = new RunResult(system, workload, run, [], []);
        using var broker = await Broker.StartAsync(settings, system, tag);
        try
        {
            switch (workload)
            {
                case "W1":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W1, subscribers: 1, literals: 0, "events_per_s");
                    break;
                case "W1S":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W1, subscribers: 1, literals: 0, "events_per_s", warmup: _sizes.W1SWarmup);
                    break;
                case "W1I":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W1, subscribers: 1, literals: 0, "events_per_s", inline: true);
                    break;
                case "W1P":
                    await MixedProtocolAsync(broker, tag, result, _sizes.W1);
                    break;
                case "W2":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W2, WorkloadSizes.W2Subscribers, literals: 0, "deliveries_per_s");
                    break;
                case "W2S":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W2, WorkloadSizes.W2Subscribers, literals: 0, "deliveries_per_s", warmup: _sizes.W2SWarmup);
                    break;
                case "W3":
                    await LatencyAsync(system, broker, tag, result);
                    break;
                case "W3I":
                    await LatencyAsync(system, broker, tag, result, inline: true);
                    break;
                case "W4":
                    await ThroughputAsync(system, broker, tag, result, _sizes.W4, subscribers: 1, WorkloadSizes.W4Literals, "events_per_s", handlers: true);
                    break;
                case "W5":
                    await IdleAsync(system, broker, tag, result);
                    break;
                case "W6":
                    await StalledAsync(system, broker, tag, result);
                    break;
                default:
                    throw new ArgumentException($"Unknown workload '{workload}'.");
            }
        }
        finally
        {
            await broker.StopAsync();
        }

        return result;
    }

    /// <param name="warmup">
    /// Unmeasured events published first, back to back, then 100 ms of quiet (W1S, W2S): subscribers skip them by their
    /// warm-up stamp (exact if some are lost), and the client processes' CPU is counted from the measured phase on, so
    /// start-up, first connections and the runtime's first compilations are left out for every system alike. The
    /// server's CPU still covers both phases, per delivery of either.
    /// </param>
    /// <param name="inline">
    /// W1I: the enumerable subscriber asks for inline delivery, resuming on its receive thread as a consumer that only
    /// counts may (docs/dotnet-hosts.md, "Inline delivery"); W1 keeps the default.
    /// </param>
    private async Task ThroughputAsync(string system, Broker broker, string tag, RunResult result, long count, int subscribers, int literals, string metric, bool handlers = false, long warmup = 0, bool inline = false)
    {
        string[] shape = ["--count", Invariant(count), "--literals", Invariant(literals)];
        string[] skip = warmup > 0 ? ["--skip-warmup"] : [];
        string[] warm = warmup > 0 ? ["--warmup", Invariant(warmup)] : [];

        using var sub = Role(system, "sub", broker, $"{tag}-sub", [.. shape, "--clients", Invariant(subscribers), .. ConsumeFlags(system, handlers, inline), .. skip]);
        await sub.WaitForReadyAsync(_readyBound);
        var cpuBefore = broker.CpuTicks();
        using var pub = Role(system, "pub", broker, $"{tag}-pub", [.. shape, .. warm]);
        var published = await ReadJsonAsync(pub);
        var received = await ReadJsonAsync(sub);
        var cpuAfter = broker.CpuTicks();
        var start = published.GetProperty("start").GetInt64();
        var total = Sum(received.GetProperty("received"));

        // Server CPU per delivered event (µs): where the time goes when the peers are compared. On the bridged path it
        // is the sum of both brokers, both bridges and nats-server.
        var deliveries = total + (received.TryGetProperty("skipped", out var skipped) ? Sum(skipped) : 0);
        result.Metrics["server_cpu_us_per_delivery"] = total > 0 ? (cpuAfter - cpuBefore) / ProcSample.TicksPerSecond * 1e6 / deliveries : 0;
        result.Metrics["sub_cpu_us_per_delivery"] = total > 0 ? ClientCpu(received, warmup) * 1e6 / total : 0;
        result.Metrics["pub_cpu_us_per_event"] = ClientCpu(published, warmup) * 1e6 / count;
        var seconds = (received.GetProperty("last").GetInt64() - start) / 1e9;
        result.Metrics[metric] = seconds > 0 ? total / seconds : 0;
        result.Metrics["dropped_pct"] = 100.0 * ((count * subscribers) - total) / (count * subscribers);
        result.Metrics["publish_per_s"] = count / ((published.GetProperty("end").GetInt64() - start) / 1e9);
        Note(result, received);
    }

    /// <summary>
    /// W1 with a Python-protocol subscriber (a .NET load role speaking the text protocol, so the broker's translation
    /// is what is measured) beside the MessagePack one: each event is delivered twice, once translated to JSON.
    /// </summary>
    private async Task MixedProtocolAsync(Broker broker, string tag, RunResult result, long count)
    {
        string[] shape = ["--count", Invariant(count), "--literals", "0"];
        using var sub = Role(LoadClients.Decnet, "sub", broker, $"{tag}-sub", shape);
        await sub.WaitForReadyAsync(_readyBound);
        using var text = Role(LoadClients.DecnetText, "sub", broker, $"{tag}-text", [.. shape, "--name", "text"]);
        await text.WaitForReadyAsync(_readyBound);
        var cpuBefore = ProcSample.Read(broker.Pid).CpuTicks;
        using var pub = Role(LoadClients.Decnet, "pub", broker, $"{tag}-pub", shape);
        var published = await ReadJsonAsync(pub);
        var received = await ReadJsonAsync(sub);
        var translated = await ReadJsonAsync(text);
        var cpuAfter = ProcSample.Read(broker.Pid).CpuTicks;
        var start = published.GetProperty("start").GetInt64();
        var total = Sum(received.GetProperty("received"));
        var textTotal = Sum(translated.GetProperty("received"));
        result.Metrics["server_cpu_us_per_event"] = (cpuAfter - cpuBefore) / ProcSample.TicksPerSecond * 1e6 / count;
        result.Metrics["events_per_s"] = total / Math.Max(1e-9, (received.GetProperty("last").GetInt64() - start) / 1e9);
        result.Metrics["text_events_per_s"] = textTotal / Math.Max(1e-9, (translated.GetProperty("last").GetInt64() - start) / 1e9);
        result.Metrics["dropped_pct"] = 100.0 * (count - total) / count;
        result.Metrics["text_dropped_pct"] = 100.0 * (count - textTotal) / count;
        result.Metrics["text_sub_cpu_us_per_delivery"] = textTotal > 0 ? translated.GetProperty("cpu_s").GetDouble() * 1e6 / textTotal : 0;
        Note(result, received);
        Note(result, translated);
    }

    /// <param name="inline">W3I: the decnet subscriber asks for inline delivery, as for W1I.</param>
    private async Task LatencyAsync(string system, Broker broker, string tag, RunResult result, bool inline = false)
    {
        string[] shape = ["--count", Invariant(_sizes.W3)];
        using var sub = Role(system, "sub", broker, $"{tag}-sub", [.. shape, "--latency", .. ConsumeFlags(system, handlers: false, inline)]);
        await sub.WaitForReadyAsync(_readyBound);
        using var pub = Role(system, "pub", broker, $"{tag}-pub", [.. shape, "--pace-us", Invariant(WorkloadSizes.W3PaceMicroseconds), "--warmup", Invariant(WorkloadSizes.W3Warmup)]);
        await ReadJsonAsync(pub);
        var received = await ReadJsonAsync(sub);
        var percentiles = received.GetProperty("latency_us").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        result.Metrics["p50_us"] = percentiles[0];
        result.Metrics["p90_us"] = percentiles[1];
        result.Metrics["p99_us"] = percentiles[2];
        result.Metrics["dropped_pct"] = 100.0 * (_sizes.W3 - Sum(received.GetProperty("received"))) / _sizes.W3;
        Note(result, received);
    }

    /// <summary>
    /// How a subscriber role consumes. W4 (10,000 subscriptions) uses the handler API where a client has one: one delivery
    /// loop, not a task each, and inline delivery, as a handler that only counts would (docs/performance-history-3.md,
    /// part 15); W1I and W3I ask for inline delivery on the enumerable path. Only Decnet roles take these flags: the Go
    /// nats client exits on a flag it does not know (every nats W4 run failed).
    /// </summary>
    private static string[] ConsumeFlags(string system, bool handlers, bool inline)
        => system != LoadClients.Decnet ? [] : handlers ? ["--handlers", "--inline"] : inline ? ["--inline"] : [];

    private async Task IdleAsync(string system, Broker broker, string tag, RunResult result)
    {
        var before = ProcSample.Read(broker.Pid);
        using var idle = Role(system, "idle", broker, $"{tag}-idle", ["--clients", Invariant(WorkloadSizes.W5Clients), "--subs", Invariant(WorkloadSizes.W5Subscriptions)]);
        await idle.WaitForReadyAsync(_runBound);

        // One second for the connection burst's after-effects (tier-1 JIT, a GC) before the idle window opens.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var start = ProcSample.Read(broker.Pid);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // The measurement window itself: the broker is left alone with its idle clients.
        await Task.Delay(_sizes.W5Window);
        var end = ProcSample.Read(broker.Pid);
        var seconds = clock.Elapsed.TotalSeconds;
        result.Metrics["rss_mb"] = end.RssMb;
        result.Metrics["rss_empty_mb"] = before.RssMb;
        result.Metrics["cpu_pct"] = 100.0 * (end.CpuTicks - start.CpuTicks) / ProcSample.TicksPerSecond / seconds;
    }

    private async Task StalledAsync(string system, Broker broker, string tag, RunResult result)
    {
        var count = _sizes.W6;
        string[] shape = ["--count", Invariant(count)];
        using var stalled = Role(system, "sub", broker, $"{tag}-stalled", [.. shape, "--name", "stalled", "--idle-ms", "5000"]);
        await stalled.WaitForReadyAsync(_readyBound);
        using var healthy = Role(system, "sub", broker, $"{tag}-healthy", [.. shape, "--name", "healthy"]);
        await healthy.WaitForReadyAsync(_readyBound);

        // SIGSTOP: the stalled subscriber really never reads its socket while the publisher runs.
        stalled.Stop();
        var baseline = ProcSample.Read(broker.Pid).RssMb;
        JsonElement published;
        JsonElement fine;
        await using (var sampler = new RssSampler(broker.Pid))
        {
            using var pub = Role(system, "pub", broker, $"{tag}-pub", shape);
            published = await ReadJsonAsync(pub);
            fine = await ReadJsonAsync(healthy);
            result.Metrics["rss_growth_mb"] = Math.Max(0, sampler.PeakMb - baseline);
        }

        var start = published.GetProperty("start").GetInt64();
        var healthyReceived = Sum(fine.GetProperty("received"));
        result.Metrics["healthy_per_s"] = healthyReceived / ((fine.GetProperty("last").GetInt64() - start) / 1e9);
        result.Metrics["healthy_dropped_pct"] = 100.0 * (count - healthyReceived) / count;
        Note(result, fine, "healthy: ");

        // Every event is routed by now (the healthy one saw the end marker), so the broker's drop count is final.
        long? brokerDropped = system == LoadClients.Decnet ? await StalledBrokerDropsAsync(broker.Target) : null;
        stalled.Continue();
        var late = await ReadJsonAsync(stalled);
        var stalledReceived = Sum(late.GetProperty("received"));
        var clientDropped = late.TryGetProperty("client_dropped", out var cd) ? Sum(cd) : 0;

        // The publisher's own send buffer may drop (counted) when the broker falls behind: those never reach anyone.
        var publisherDropped = published.TryGetProperty("client_dropped", out var pd) ? pd.GetInt64() : 0;
        result.Metrics["publisher_dropped"] = publisherDropped;
        result.Metrics["stalled_received"] = stalledReceived;
        result.Metrics["stalled_lost"] = count - stalledReceived;
        if (brokerDropped is { } dropped)
        {
            result.Metrics["stalled_counted_drops"] = dropped + clientDropped + publisherDropped;
            result.Metrics["drops_exact"] = stalledReceived + dropped + clientDropped + publisherDropped == count ? 1 : 0;
        }

        Note(result, late, "stalled: ");
    }

    private static async Task<long?> StalledBrokerDropsAsync(string socket)
    {
        var options = new DecnetBusOptions { SocketPath = socket, Group = string.Empty, ClientName = "bench-stats" };
        await using var bus = await UnixSocketBus.ConnectAsync(options);
        var stats = await bus.GetBrokerStatsAsync();
        return stats.Connections.Where(c => c.Name.StartsWith("bench-stalled", StringComparison.Ordinal)).Sum(c => c.Dropped);
    }

    private ChildProcess Role(string system, string role, Broker broker, string name, IEnumerable<string> extra)
    {
        var log = settings.LogFile($"{system}-{name}");
        List<string> args = [role, "--target", role == "pub" ? broker.PublishTarget : broker.Target, "--topic", "bench", .. extra];
        return system == LoadClients.Nats
            ? ChildProcess.Start(settings.NatsBench, args, log, settings.PidFile)
            : ChildProcess.Start(settings.SelfFile, [.. settings.SelfPrefix, .. args, "--system", system], log, settings.PidFile);
    }

    private static async Task<JsonElement> ReadJsonAsync(ChildProcess process)
    {
        var line = await process.WaitForJsonAsync(_runBound);
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private static void Note(RunResult result, JsonElement received, string prefix = "")
    {
        if (received.TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.String)
        {
            result.Notes.Add(prefix + note.GetString());
        }
    }

    /// <summary>A role's CPU seconds: all of it, or after a warm-up only what its measured phase used.</summary>
    private static double ClientCpu(JsonElement role, long warmup) =>
        role.GetProperty("cpu_s").GetDouble() - (warmup > 0 ? role.GetProperty("cpu_start_s").GetDouble() : 0);

    private static long Sum(JsonElement array) => array.EnumerateArray().Sum(e => e.GetInt64());

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
