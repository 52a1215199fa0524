using System.Globalization;

namespace Decnet.Bench.Load.Roles;

/// <summary>The flags every role understands (<c>--name value</c> pairs and bare switches), shared with bench/nats-go.</summary>
internal sealed class RoleArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public RoleArgs(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }
        }

        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string Target => Get("target", string.Empty);

    public string Topic => Get("topic", "bench");

    public long Count => long.Parse(Get("count", "100000"), CultureInfo.InvariantCulture);

    public int Clients => Int("clients", 1);

    public int Literals => Int("literals", 0);

    public int Subs => Int("subs", 3);

    public int Size => Int("size", 128);

    public int PaceMicroseconds => Int("pace-us", 0);

    /// <summary>Unmeasured events a publisher sends first (stamped <see cref="WarmupStamp"/>), then a quiet 100 ms.</summary>
    public int Warmup => Int("warmup", 0);

    /// <summary>The timestamp a warm-up event carries; subscribers neither count nor time it.</summary>
    public const long WarmupStamp = -1;

    /// <summary>
    /// Whether a subscriber that only counts reads each connection's stamps until its first measured event, to skip the
    /// warm-up's events (W1S, W2S; with latencies every stamp is read anyway).
    /// </summary>
    public bool SkipWarmup => Get("skip-warmup", "false") == "true";

    public bool Latency => Get("latency", "false") == "true";

    /// <summary>Consume through the bus's handler API (one delivery loop) where the system has one, not an enumerator per subscription.</summary>
    public bool Handlers => Get("handlers", "false") == "true";

    /// <summary>Ask for inline delivery: handlers (<see cref="Handlers"/>) run on the receive thread while nothing is queued, enumerable readers resume there.</summary>
    public bool Inline => Get("inline", "false") == "true";

    public TimeSpan Idle => TimeSpan.FromMilliseconds(Int("idle-ms", 3000));

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var value) ? value : fallback;

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>The topics a subscriber listens on and a publisher cycles through (W4 uses many literals).</summary>
    public string[] Topics()
    {
        if (Literals <= 0)
        {
            return [Topic];
        }

        var topics = new string[Literals];
        for (var i = 0; i < topics.Length; i++)
        {
            topics[i] = string.Create(CultureInfo.InvariantCulture, $"{Topic}.t{i}");
        }

        return topics;
    }

    /// <summary>W4's one wildcard: the traffic never matches it, but the matcher must still consult it.</summary>
    public string IdleWildcard => Topic + ".*.idle";
}
