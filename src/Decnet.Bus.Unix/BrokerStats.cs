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
    IReadOnlyList<BrokerConnectionStats> Connections);
