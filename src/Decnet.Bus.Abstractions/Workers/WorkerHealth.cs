using MessagePack;

namespace Decnet.Bus;

/// <summary>The payload of <c>system.{worker}.health</c>, published by <see cref="BusHeartbeatService"/>.</summary>
[MessagePackObject]
public sealed class WorkerHealth
{
    /// <summary>The worker name (<c>worker</c>).</summary>
    [Key("worker")]
    public string Worker { get; set; } = string.Empty;

    /// <summary>Unix epoch seconds when the heartbeat was sent (<c>ts</c>).</summary>
    [Key("ts")]
    public double Timestamp { get; set; }

    /// <summary>The worker's process id (<c>pid</c>).</summary>
    [Key("pid")]
    public int ProcessId { get; set; }

    /// <summary>Seconds since the heartbeat service started, about the worker's uptime (<c>uptime_s</c>).</summary>
    [Key("uptime_s")]
    public double UptimeSeconds { get; set; }
}
