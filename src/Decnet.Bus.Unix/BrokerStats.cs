namespace Decnet.Bus.Unix;

/// <summary>Broker counters and one row per client connection, as returned by the STATS frame.</summary>
/// <param name="BrokerPid">Process id of the broker.</param>
/// <param name="UptimeSeconds">Seconds since the broker started.</param>
/// <param name="Published">PUB frames accepted since start.</param>
/// <param name="Delivered">EVT frames placed into connection queues since start.</param>
/// <param name="Dropped">EVT frames dropped from full connection queues since start.</param>
/// <param name="Connections">The connected clients.</param>
public sealed record BrokerStats(
    int BrokerPid,
    double UptimeSeconds,
    long Published,
    long Delivered,
    long Dropped,
    IReadOnlyList<BrokerConnectionStats> Connections)
{
    /// <summary>
    /// Connections refused or closed since start, per reason (an ERR code name such as <c>frame_too_large</c>,
    /// <c>idle_timeout</c>, <c>stalled</c>, <c>permission_denied</c>); reasons that never happened are absent.
    /// </summary>
    public IReadOnlyDictionary<string, long> Rejections { get; init; } = NoRejections;

    /// <summary>
    /// How many of <see cref="Published"/> were the broker's own heartbeats on <c>system.bus.health</c>
    /// (docs/wire-protocol.md §7.5); 0 from a broker that does not report it.
    /// </summary>
    public long Heartbeats { get; init; }

    /// <summary>The shared empty <see cref="Rejections"/> (so stats without rejections compare equal).</summary>
    internal static IReadOnlyDictionary<string, long> NoRejections { get; } = new Dictionary<string, long>();

    /// <summary>The stable snake_case name of an ERR code (docs/wire-protocol.md §6), or <c>code_N</c> for an unknown one.</summary>
    internal static string RejectionName(int code) => code switch
    {
        1 => "bad_frame",
        2 => "frame_too_large",
        3 => "invalid_topic",
        4 => "invalid_pattern",
        5 => "too_many_subscriptions",
        6 => "too_many_connections",
        7 => "protocol_version",
        8 => "handshake_required",
        9 => "slow_consumer",
        10 => "idle_timeout",
        11 => "stalled",
        12 => "permission_denied",
        100 => "unknown_protocol",
        101 => "untranslatable",
        _ => $"code_{code}",
    };
}
