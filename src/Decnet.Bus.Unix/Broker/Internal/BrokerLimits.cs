namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>The broker-wide limits, read once from <see cref="DecnetBusOptions"/>.</summary>
internal sealed record BrokerLimits(
    int MaxFrameBytes,
    int MaxTopicBytes,
    int MaxSubscriptionsPerConnection,
    int MaxConnections,
    int QueueSize,
    int MaxPatternTokens,
    long MaxQueueBytes,
    long MaxTotalQueueBytes,
    int MaxConnectionsPerUid,
    int MaxHandshaking,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan StallTimeout,
    PeerAllowList Allowed,
    TopicAcl? Acl)
{
    /// <summary>
    /// Control frames a connection may hold unwritten before it is cut with ERR 9 (docs/wire-protocol.md, "Control
    /// replies"). No option sets it; tests lower it to reach the bound without filling a socket buffer.
    /// </summary>
    public int MaxControlBacklog { get; init; } = 4096;

    /// <summary>
    /// Bytes of unwritten control frames a connection may hold, besides its one STATS snapshot (which every further
    /// STATS shares until it is written, so it is held once whatever the client asks).
    /// </summary>
    public int MaxControlBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// How long a publisher's read loop waits, at most, after a read for the destinations it left more than half full
    /// to drain to a quarter (docs/Service-Bus.md, "Catch-up waits"); zero disables.
    /// </summary>
    public TimeSpan CatchUpWait { get; init; }

    /// <summary>
    /// The most all route caches together hold: past it new topics are routed uncached, so many connections each
    /// caching its fill of unique topics cannot grow the broker without bound. Tests lower it.
    /// </summary>
    public long MaxTotalRouteCacheBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The most pattern tokens one uid's wildcard subscriptions may hold together (<see cref="WildcardBudget"/>): a
    /// SUB past it is refused with ERR 5. 262,144 is 256 connections of 128 eight-token patterns, about 32 MiB of trie
    /// at worst. No option sets it; tests lower it.
    /// </summary>
    public int MaxWildcardTokensPerUid { get; init; } = 262_144;

    /// <summary>The most pattern tokens all wildcard subscriptions may hold: about 128 MiB of trie at worst.</summary>
    public int MaxTotalWildcardTokens { get; init; } = 1_048_576;

    /// <summary>The kernel send buffer asked for each connection (<see cref="DecnetBusOptions.SendBufferBytes"/>); 0 keeps the kernel's.</summary>
    public int SendBufferBytes { get; init; }

    public static BrokerLimits From(DecnetBusOptions options)
    {
        // Held to the validator's ranges (the same constants) for options built in code, which skip it: WELCOME
        // announces these, and a client refuses a max_frame outside that range (docs/wire-protocol.md §4.1).
        var maxFrame = Math.Clamp(options.MaxFrameBytes, Protocol.ProtocolConstants.MinMaxFrame, DecnetBusOptionsValidator.MaxFrameBytesLimit);
        return new(
            maxFrame,
            Math.Max(options.MaxTopicBytes, 1),
            Math.Max(options.MaxSubscriptionsPerConnection, 1),
            Math.Max(options.MaxConnections, 1),
            Math.Clamp(options.QueueSize, 1, Protocol.ProtocolConstants.MaxQueueSize),
            Math.Max(options.MaxPatternTokens, 1),
            Math.Max(options.MaxQueueBytes, maxFrame + 64L),
            Math.Max(options.MaxTotalQueueBytes, Math.Max(options.MaxQueueBytes, maxFrame + 64L)),
            Math.Max(options.MaxConnectionsPerUid, 1),
            Math.Max(options.MaxHandshakingConnections, 1),
            options.HandshakeTimeout > TimeSpan.Zero ? options.HandshakeTimeout : TimeSpan.FromSeconds(5),
            options.IdleTimeout > TimeSpan.Zero ? options.IdleTimeout : Timeout.InfiniteTimeSpan,
            options.StallTimeout > TimeSpan.Zero ? options.StallTimeout : Timeout.InfiniteTimeSpan,
            new PeerAllowList([.. options.AllowUids], [.. options.AllowGids]),
            ReadAcl(options.AclFile, options.SocketPath))
        {
            CatchUpWait = Bus.Internal.CatchUpWait.Clamp(options.CatchUpWait),
            SendBufferBytes = Math.Max(options.SendBufferBytes, 0),
        };
    }

    private static TopicAcl? ReadAcl(string path, string socketPath)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            return TopicAcl.Parse(path, File.ReadLines(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new BusStartupException(socketPath, $"bus: cannot use DECNET_BUS_ACL_FILE: {ex.Message}", ex);
        }
    }
}
