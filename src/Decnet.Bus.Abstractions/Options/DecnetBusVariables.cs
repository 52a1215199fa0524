namespace Decnet.Bus;

/// <summary>
/// Names of the environment variables <c>AddDecnetBus()</c> reads, with the matching <c>DecnetBus</c> section key in
/// each summary. A variable overrides the section key.
/// </summary>
public static partial class DecnetBusVariables
{
    /// <summary><c>true</c>/<c>false</c> (also 1/0, yes/no, on/off); section key <c>Enabled</c>.</summary>
    public const string Enabled = "DECNET_BUS_ENABLED";

    /// <summary>Transport name, e.g. <c>unix</c> or <c>fake</c>; section key <c>Type</c>.</summary>
    public const string Type = "DECNET_BUS_TYPE";

    /// <summary>Socket path, at most 107 UTF-8 bytes; section key <c>SocketPath</c>.</summary>
    public const string Socket = "DECNET_BUS_SOCKET";

    /// <summary>Group owning the socket, empty to skip chown; section key <c>Group</c>.</summary>
    public const string Group = "DECNET_BUS_GROUP";

    /// <summary>Queue capacity in events, ≥ 1; section key <c>QueueSize</c>.</summary>
    public const string QueueSize = "DECNET_BUS_QUEUE_SIZE";

    /// <summary>Boolean; section key <c>Echo</c>.</summary>
    public const string Echo = "DECNET_BUS_ECHO";

    /// <summary>Heartbeat period in seconds (fractions allowed), 0 disables; section key <c>HeartbeatInterval</c>.</summary>
    public const string HeartbeatSeconds = "DECNET_BUS_HEARTBEAT_S";

    /// <summary>Seconds a client hears nothing from the broker before it PINGs (fractions allowed), 0 disables; section key <c>KeepaliveInterval</c>.</summary>
    public const string KeepaliveSeconds = "DECNET_BUS_KEEPALIVE_S";

    /// <summary>Client name announced to the broker; section key <c>ClientName</c>.</summary>
    public const string ClientName = "DECNET_BUS_CLIENT_NAME";

    /// <summary>First reconnect delay in milliseconds; section key <c>ReconnectMinDelay</c>.</summary>
    public const string ReconnectMinMs = "DECNET_BUS_RECONNECT_MIN_MS";

    /// <summary>Reconnect backoff cap in milliseconds; section key <c>ReconnectMaxDelay</c>.</summary>
    public const string ReconnectMaxMs = "DECNET_BUS_RECONNECT_MAX_MS";

    /// <summary>Largest frame in bytes; section key <c>MaxFrameBytes</c>.</summary>
    public const string MaxFrameBytes = "DECNET_BUS_MAX_FRAME_BYTES";

    /// <summary>Longest topic in UTF-8 bytes; section key <c>MaxTopicBytes</c>.</summary>
    public const string MaxTopicBytes = "DECNET_BUS_MAX_TOPIC_BYTES";

    /// <summary>Subscriptions per connection; section key <c>MaxSubscriptionsPerConnection</c>.</summary>
    public const string MaxSubscriptions = "DECNET_BUS_MAX_SUBSCRIPTIONS";

    /// <summary>Concurrent connections; section key <c>MaxConnections</c>.</summary>
    public const string MaxConnections = "DECNET_BUS_MAX_CONNECTIONS";

    /// <summary>Concurrent connections of one uid; section key <c>MaxConnectionsPerUid</c>.</summary>
    public const string MaxConnectionsPerUid = "DECNET_BUS_MAX_CONNECTIONS_PER_UID";

    /// <summary>Connections not yet past HELLO; section key <c>MaxHandshakingConnections</c>.</summary>
    public const string MaxHandshaking = "DECNET_BUS_MAX_HANDSHAKING";

    /// <summary>Kernel send buffer each connection asks for (SO_SNDBUF), broker and client; section key <c>SendBufferBytes</c>.</summary>
    public const string SendBufferBytes = "DECNET_BUS_SEND_BUFFER_BYTES";

    /// <summary>Outbound backlog of all broker connections together in bytes; section key <c>MaxTotalQueueBytes</c>.</summary>
    public const string MaxTotalQueueBytes = "DECNET_BUS_MAX_TOTAL_QUEUE_BYTES";

    /// <summary>Most tokens in a subscription pattern; section key <c>MaxPatternTokens</c>.</summary>
    public const string MaxPatternTokens = "DECNET_BUS_MAX_PATTERN_TOKENS";

    /// <summary>Outbound backlog per broker connection in bytes (NATS: publishes queued for a slow server); section key <c>MaxQueueBytes</c>.</summary>
    public const string MaxQueueBytes = "DECNET_BUS_MAX_QUEUE_BYTES";

    /// <summary>Seconds the broker waits for HELLO; section key <c>HandshakeTimeout</c>.</summary>
    public const string HandshakeTimeoutSeconds = "DECNET_BUS_HANDSHAKE_TIMEOUT_S";

    /// <summary>Seconds without a complete inbound frame before disconnect, 0 disables; section key <c>IdleTimeout</c>.</summary>
    public const string IdleTimeoutSeconds = "DECNET_BUS_IDLE_TIMEOUT_S";

    /// <summary>
    /// Seconds a connection may leave the broker's writes pending before disconnect (NATS: a stalled server may hold
    /// publishers), 0 disables; section key <c>StallTimeout</c>.
    /// </summary>
    public const string StallTimeoutSeconds = "DECNET_BUS_STALL_TIMEOUT_S";

    /// <summary>Milliseconds a queue's filler waits for a consumer more than half full to catch up, 0 disables; section key <c>CatchUpWait</c>.</summary>
    public const string CatchUpWaitMs = "DECNET_BUS_CATCH_UP_WAIT_MS";

    /// <summary>Comma-separated uids admitted by the broker, empty for anyone; section key <c>AllowUids</c>.</summary>
    public const string AllowUids = "DECNET_BUS_ALLOW_UIDS";

    /// <summary>Comma-separated gids admitted by the broker, empty for anyone; section key <c>AllowGids</c>.</summary>
    public const string AllowGids = "DECNET_BUS_ALLOW_GIDS";

    /// <summary>Path of the per-topic ACL file, empty for none; section key <c>AclFile</c>.</summary>
    public const string AclFile = "DECNET_BUS_ACL_FILE";

    /// <summary>Extra uid a client accepts as the broker (besides root, itself and the socket directory's owner); section key <c>BrokerUid</c>.</summary>
    public const string BrokerUid = "DECNET_BUS_BROKER_UID";
}
