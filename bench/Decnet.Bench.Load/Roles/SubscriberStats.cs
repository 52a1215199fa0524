namespace Decnet.Bench.Load.Roles;

/// <summary>
/// Counts per client connection, first/last receive time, the process's CPU time at the first counted event, and (W3)
/// one-way latencies; thread-safe.
/// </summary>
internal sealed class SubscriberStats : IEventSink
{
    private readonly long[] _skipped;
    private readonly int[] _measuring;
    private readonly bool _latency;
    private readonly bool _skipWarmup;
    private readonly long[] _received;
    private readonly int[] _ended;
    private readonly long[] _latencies;
    private int _latencyCount;
    private long _first;
    private long _lastEvent;
    private long _lastActivity;
    private double _cpuAtFirst;

    /// <param name="clients">Client connections.</param>
    /// <param name="capacity">Latencies to keep.</param>
    /// <param name="latency">Whether latencies are recorded.</param>
    /// <param name="skipWarmup">Whether each connection's stamps are wanted until its first measured event (W1S, W2S).</param>
    public SubscriberStats(int clients, long capacity, bool latency, bool skipWarmup = false)
    {
        _latency = latency;
        _skipWarmup = skipWarmup;
        _skipped = new long[clients];
        _measuring = new int[clients];
        _received = new long[clients];
        _ended = new int[clients];
        _latencies = latency ? new long[capacity + 16] : [];
        _lastActivity = Monotonic.Now();
    }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool AllEnded
    {
        get
        {
            for (var i = 0; i < _ended.Length; i++)
            {
                if (Volatile.Read(ref _ended[i]) == 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public void OnEvent(int client, long sentAt)
    {
        if (sentAt == RoleArgs.WarmupStamp)
        {
            // A warm-up event (W3, W1S, W2S): activity, but neither counted nor timed.
            Interlocked.Increment(ref _skipped[client]);
            Touch();
            return;
        }

        if (_skipWarmup && Volatile.Read(ref _measuring[client]) == 0)
        {
            // This connection's warm-up is over: from here on a subscriber that only counts reads no stamp.
            Volatile.Write(ref _measuring[client], 1);
        }

        var now = Monotonic.Now();
        if (Interlocked.Increment(ref _received[client]) == 1 && Interlocked.CompareExchange(ref _first, now, 0) == 0)
        {
            // Start-up and warm-up are behind this point: the CPU from here on is the counted events'.
            Volatile.Write(ref _cpuAtFirst, Environment.CpuUsage.TotalTime.TotalSeconds);
        }

        Volatile.Write(ref _lastEvent, now);
        Volatile.Write(ref _lastActivity, now);
        if (sentAt != 0 && _latencies.Length > 0)
        {
            var slot = Interlocked.Increment(ref _latencyCount) - 1;
            if (slot < _latencies.Length)
            {
                _latencies[slot] = now - sentAt;
            }
        }
    }

    /// <inheritdoc />
    public bool WantsStamp(int client) => _latency || (_skipWarmup && Volatile.Read(ref _measuring[client]) == 0);

    /// <summary>Warm-up events each connection received and did not count.</summary>
    public long[] Skipped() => Array.ConvertAll(_skipped, s => Interlocked.Read(ref s));

    /// <summary>Counts as activity (the idle clock restarts).</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Monotonic.Now());

    public void OnEnd(int client)
    {
        Volatile.Write(ref _ended[client], 1);
        Volatile.Write(ref _lastActivity, Monotonic.Now());
    }

    public long[] Received() => Array.ConvertAll(_received, r => Interlocked.Read(ref r));

    public long First => Interlocked.Read(ref _first);

    /// <summary>The process's CPU seconds when the first counted event arrived (0 before it).</summary>
    public double CpuAtFirst => Volatile.Read(ref _cpuAtFirst);

    /// <summary>Time of the last benchmark event (not of the end marker).</summary>
    public long LastEvent => Interlocked.Read(ref _lastEvent);

    /// <summary>Writes each latency in microseconds, one per line, in arrival order.</summary>
    public void WriteLatencies(string path)
    {
        var count = Math.Min(Volatile.Read(ref _latencyCount), _latencies.Length);
        File.WriteAllLines(path, _latencies.Take(count).Select(l => (l / 1000.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)));
    }

    public double[] LatencyPercentiles()
    {
        var count = Math.Min(Volatile.Read(ref _latencyCount), _latencies.Length);
        if (count == 0)
        {
            return [0, 0, 0];
        }

        var sorted = _latencies[..count];
        Array.Sort(sorted);
        double At(double p) => sorted[(int)(p * (count - 1))] / 1000.0;
        return [At(0.50), At(0.90), At(0.99)];
    }
}
