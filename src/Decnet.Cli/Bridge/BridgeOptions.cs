namespace Decnet.Cli.Bridge;

/// <summary>What <c>decnet bridge</c> forwards and how (docs/cross-host.md).</summary>
internal sealed record BridgeOptions
{
    /// <summary>Default most hops an event may have made before a bridge refuses to import it.</summary>
    public const int DefaultHopLimit = 4;

    /// <summary>Local patterns whose events are published to NATS.</summary>
    public IReadOnlyList<string> Export { get; init; } = [];

    /// <summary>NATS patterns whose messages are published on the local bus.</summary>
    public IReadOnlyList<string> Import { get; init; } = [];

    /// <summary>Tokens put in front of every exported topic (e.g. <c>host.a</c>), or empty.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>Events that already made this many bridge hops are not imported (guards misconfigured meshes).</summary>
    public int HopLimit { get; init; } = DefaultHopLimit;

    /// <summary>Queue size of each of the bridge's subscriptions, local and NATS (drop-oldest, counted).</summary>
    public int QueueSize { get; init; } = 16_384;

    /// <summary>
    /// Whether exports carry <c>Decnet-Bridge-Source</c>, the local publisher's pid, uid and gid (default true);
    /// <c>--no-source</c> keeps them off NATS.
    /// </summary>
    public bool SendSource { get; init; } = true;

    /// <summary>This bridge's id in the origin header: unique per bridge process.</summary>
    public string BridgeId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How many event ids the bridge remembers to tell what it forwarded from what it must not forward back.</summary>
    public int RememberedIds { get; init; } = 1 << 17;
}
