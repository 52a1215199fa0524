using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>
/// Medians of the runs, written as a markdown table (with targets and ratios) and as JSON with every run; a median taken
/// over fewer runs than asked for (the others failed) says over how many, in its cell and in the JSON's median_runs.
/// </summary>
internal static class Report
{
    private static readonly (string Workload, string Metric, string Label, string Target)[] _rows =
    [
        ("W1", "events_per_s", "W1 throughput 1→1 (events/s)", "≥ 2,500,000; ≥ 1.5× nats; ≥ 10× redis"),
        ("W1", "dropped_pct", "W1 dropped (%)", "0"),
        ("W1", "server_cpu_us_per_delivery", "W1 server CPU per delivery (µs)", "—"),
        ("W1", "pub_cpu_us_per_event", "W1 publisher process CPU per event (µs)", "—"),
        ("W1", "sub_cpu_us_per_delivery", "W1 subscriber process CPU per delivery (µs)", "—"),
        ("W1I", "events_per_s", "W1I W1 with an inline-resumed enumerable subscriber (events/s)", "—"),
        ("W1I", "dropped_pct", "W1I dropped (%)", "—"),
        ("W1I", "pub_cpu_us_per_event", "W1I publisher process CPU per event (µs)", "—"),
        ("W1I", "sub_cpu_us_per_delivery", "W1I subscriber process CPU per delivery (µs)", "—"),
        ("W1S", "events_per_s", "W1S W1 after a warm-up: steady-state throughput (events/s)", "—"),
        ("W1S", "dropped_pct", "W1S dropped (%)", "—"),
        ("W1S", "server_cpu_us_per_delivery", "W1S server CPU per delivery, warm-up's included (µs)", "—"),
        ("W1S", "pub_cpu_us_per_event", "W1S publisher process CPU per measured event (µs)", "—"),
        ("W1S", "sub_cpu_us_per_delivery", "W1S subscriber process CPU per measured delivery (µs)", "—"),
        ("W1P", "events_per_s", "W1P MessagePack subscriber beside a Python-protocol one (events/s)", "—"),
        ("W1P", "text_events_per_s", "W1P Python-protocol subscriber, translated to JSON (events/s)", "—"),
        ("W1P", "text_dropped_pct", "W1P Python-protocol subscriber dropped (%)", "—"),
        ("W1P", "server_cpu_us_per_event", "W1P server CPU per published event, two deliveries (µs)", "—"),
        ("W2", "deliveries_per_s", "W2 fan-out 1→10 (deliveries/s)", "≥ 4,000,000"),
        ("W2", "dropped_pct", "W2 dropped (%)", "—"),
        ("W2", "server_cpu_us_per_delivery", "W2 server CPU per delivery (µs)", "—"),
        ("W2", "sub_cpu_us_per_delivery", "W2 subscriber process (10 connections) CPU per delivery (µs)", "—"),
        ("W2S", "deliveries_per_s", "W2S W2 after a warm-up: steady-state fan-out (deliveries/s)", "—"),
        ("W2S", "dropped_pct", "W2S dropped (%)", "—"),
        ("W2S", "server_cpu_us_per_delivery", "W2S server CPU per delivery, warm-up's included (µs)", "—"),
        ("W2S", "pub_cpu_us_per_event", "W2S publisher process CPU per measured event (µs)", "—"),
        ("W2S", "sub_cpu_us_per_delivery", "W2S subscriber process CPU per measured delivery (µs)", "—"),
        ("W3", "p50_us", "W3 latency p50 (µs)", "≤ nats p50 and ≤ 50"),
        ("W3", "p90_us", "W3 latency p90 (µs)", "—"),
        ("W3", "p99_us", "W3 latency p99 (µs)", "reported"),
        ("W3I", "p50_us", "W3I W3 with an inline-resumed enumerable subscriber: p50 (µs)", "—"),
        ("W3I", "p90_us", "W3I latency p90 (µs)", "—"),
        ("W3I", "p99_us", "W3I latency p99 (µs)", "—"),
        ("W4", "events_per_s", "W4 10,000 subs + `*` (events/s)", "≥ 80 % of own W1"),
        ("W4", "dropped_pct", "W4 dropped (%)", "—"),
        ("W5", "rss_mb", "W5 1,000 idle clients: broker RSS (MB)", "≤ 100"),
        ("W5", "cpu_pct", "W5 idle broker CPU (%)", "< 1"),
        ("W6", "rss_growth_mb", "W6 broker RSS growth (MB)", "≤ 64"),
        ("W6", "healthy_per_s", "W6 healthy subscriber (events/s)", "≥ 80 % of own W1"),
        ("W6", "stalled_lost", "W6 events the stalled one missed", "—"),
        ("W6", "stalled_counted_drops", "W6 drops counted (broker + stalled subscriber + publisher)", "= missed"),
        ("W6", "drops_exact", "W6 runs whose drop counters add up exactly", "all"),
    ];

    /// <summary>How many runs each median was taken over (a failed run has no figures): system, workload, metric.</summary>
    public static Dictionary<string, Dictionary<string, Dictionary<string, int>>> MedianRuns(IEnumerable<RunResult> runs)
        => runs.GroupBy(r => r.System).ToDictionary(
            s => s.Key,
            s => s.GroupBy(r => r.Workload).ToDictionary(
                w => w.Key,
                w => w.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal)
                    .ToDictionary(m => m, m => w.Count(r => r.Metrics.ContainsKey(m)), StringComparer.Ordinal),
                StringComparer.Ordinal),
            StringComparer.Ordinal);

    public static Dictionary<string, Dictionary<string, Dictionary<string, double>>> Medians(IEnumerable<RunResult> runs)
    {
        var medians = new Dictionary<string, Dictionary<string, Dictionary<string, double>>>(StringComparer.Ordinal);
        foreach (var group in runs.GroupBy(r => (r.System, r.Workload)))
        {
            var metrics = group.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal)
                .ToDictionary(m => m, m => Median(group.Where(r => r.Metrics.ContainsKey(m)).Select(r => r.Metrics[m])), StringComparer.Ordinal);
            if (!medians.TryGetValue(group.Key.System, out var bySystem))
            {
                bySystem = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
                medians[group.Key.System] = bySystem;
            }

            bySystem[group.Key.Workload] = metrics;
        }

        return medians;
    }

    public static string Markdown(BenchSettings settings, IReadOnlyList<RunResult> runs, IReadOnlyDictionary<string, string> unsupported, string header)
    {
        var medians = Medians(runs);
        var medianRuns = MedianRuns(runs);
        var systems = settings.Systems;
        var md = new StringBuilder();
        md.AppendLine(header);
        md.Append("| workload (median of ").Append(settings.Runs).Append(" runs) | ").AppendJoin(" | ", systems.Select(Title)).AppendLine(" | target |");
        md.Append("|---|").Append(string.Concat(systems.Select(_ => "---:|"))).AppendLine("---|");
        foreach (var (workload, metric, label, target) in _rows.Where(r => settings.Workloads.Contains(r.Workload)))
        {
            md.Append("| ").Append(label).Append(" | ");
            foreach (var system in systems)
            {
                if (unsupported.TryGetValue($"{system}/{workload}", out var why))
                {
                    md.Append("n/a¹");
                }
                else if (metric == "drops_exact" && runs.Where(r => r.System == system && r.Workload == workload && r.Metrics.ContainsKey(metric)).ToList() is { Count: > 0 } checkedRuns)
                {
                    // A yes/no per run: how many runs were exact says more than a median of 0s and 1s.
                    md.Append(checkedRuns.Count(r => r.Metrics[metric] == 1)).Append('/').Append(checkedRuns.Count).Append(" runs");
                }
                else if (medians.TryGetValue(system, out var w) && w.TryGetValue(workload, out var m) && m.TryGetValue(metric, out var value))
                {
                    md.Append(Format(value));

                    // A median of fewer runs than asked for must not read as one of them all (the failures are below).
                    var counted = medianRuns[system][workload][metric];
                    if (counted < settings.Runs)
                    {
                        md.Append(" (").Append(counted).Append(" of ").Append(settings.Runs).Append(" runs)");
                    }
                }
                else
                {
                    md.Append('—');
                }

                md.Append(" | ");
            }

            md.Append(target).AppendLine(" |");
        }

        md.AppendLine();
        md.AppendLine("Ratios (Decnet.Core, from the medians above):");
        md.AppendLine();
        Ratio(md, medians, "W1 vs nats-server", ("decnet", "W1", "events_per_s"), ("nats", "W1", "events_per_s"), "≥ 1.5×");
        Ratio(md, medians, "W1 vs Redis", ("decnet", "W1", "events_per_s"), ("redis", "W1", "events_per_s"), "≥ 10×");
        Ratio(md, medians, "W1 vs raw relay ceiling", ("decnet", "W1", "events_per_s"), ("raw", "W1", "events_per_s"), "—");
        Ratio(md, medians, "W1I (inline enumerable subscriber) vs nats-server W1", ("decnet", "W1I", "events_per_s"), ("nats", "W1", "events_per_s"), "reported (the target is on W1)");
        Ratio(md, medians, "W1S (after a warm-up) vs nats-server", ("decnet", "W1S", "events_per_s"), ("nats", "W1S", "events_per_s"), "reported (the target is on W1)");
        Ratio(md, medians, "W2 vs nats-server", ("decnet", "W2", "deliveries_per_s"), ("nats", "W2", "deliveries_per_s"), "≥ 1.5×");
        Ratio(md, medians, "W2S (after a warm-up) vs nats-server", ("decnet", "W2S", "deliveries_per_s"), ("nats", "W2S", "deliveries_per_s"), "reported (the target is on W2)");
        Ratio(md, medians, "W3 p50 vs nats-server p50", ("decnet", "W3", "p50_us"), ("nats", "W3", "p50_us"), "≤ 1×");
        Ratio(md, medians, "W3I p50 (inline enumerable subscriber) vs nats-server W3 p50", ("decnet", "W3I", "p50_us"), ("nats", "W3", "p50_us"), "reported (the target is on W3)");
        Ratio(md, medians, "W3 p99 vs a no-broker socket hop p99", ("decnet", "W3", "p99_us"), ("hop", "W3", "p99_us"), "reported");
        Ratio(md, medians, "W4 vs own W1", ("decnet", "W4", "events_per_s"), ("decnet", "W1", "events_per_s"), "≥ 0.8×");
        Ratio(md, medians, "W6 healthy vs own W1", ("decnet", "W6", "healthy_per_s"), ("decnet", "W1", "events_per_s"), "≥ 0.8×");
        Ratio(md, medians, "W1 bridged path vs direct nats-server", ("bridge", "W1", "events_per_s"), ("nats", "W1", "events_per_s"), "reported");
        Ratio(md, medians, "W3 p50 bridged path vs direct nats-server p50", ("bridge", "W3", "p50_us"), ("nats", "W3", "p50_us"), "reported");
        md.AppendLine();
        foreach (var (key, why) in unsupported)
        {
            md.Append("¹ ").Append(key).Append(": ").AppendLine(why);
        }

        foreach (var run in runs.Where(r => r.Notes.Count > 0))
        {
            md.Append("- ").Append(run.System).Append(' ').Append(run.Workload).Append(" run ").Append(run.Run).Append(": ").AppendJoin("; ", run.Notes).AppendLine();
        }

        return md.ToString();
    }

    public static string Json(BenchSettings settings, IReadOnlyList<RunResult> runs, IReadOnlyDictionary<string, string> unsupported, IReadOnlyDictionary<string, string> machine) =>
        JsonSerializer.Serialize(
            new
            {
                quick = settings.Quick,
                runs_per_workload = settings.Runs,
                machine,
                unsupported,
                medians = Medians(runs),
                median_runs = MedianRuns(runs),
                runs = runs.Select(r => new { system = r.System, workload = r.Workload, run = r.Run, metrics = r.Metrics, notes = r.Notes }),
            },
            new JsonSerializerOptions { WriteIndented = true });

    private static void Ratio(StringBuilder md, Dictionary<string, Dictionary<string, Dictionary<string, double>>> medians, string label, (string S, string W, string M) ours, (string S, string W, string M) theirs, string target)
    {
        if (Lookup(medians, ours) is { } a && Lookup(medians, theirs) is { } b && b > 0)
        {
            md.Append("- ").Append(label).Append(": ").Append(Format(a / b)).Append("× (target ").Append(target).AppendLine(")");
        }
    }

    private static double? Lookup(Dictionary<string, Dictionary<string, Dictionary<string, double>>> medians, (string S, string W, string M) key) =>
        medians.TryGetValue(key.S, out var w) && w.TryGetValue(key.W, out var m) && m.TryGetValue(key.M, out var v) ? v : null;

    private static string Title(string system) => system switch
    {
        "decnet" => "Decnet.Core",
        "nats" => "nats-server + Go client",
        "redis" => "Redis + SE.Redis",
        "raw" => "raw C# relay",
        "hop" => "no broker (direct socket)",
        "bridge" => "bus A → bridge → NATS → bridge → bus B",
        _ => system,
    };

    private static string Format(double value) => Math.Abs(value) switch
    {
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
