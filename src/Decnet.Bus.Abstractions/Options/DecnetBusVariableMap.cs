namespace Decnet.Bus;

/// <summary>
/// The one table from each <c>DECNET_BUS_*</c> variable to the <see cref="DecnetBusOptions"/> property it sets (its
/// <c>DecnetBus</c> section key) and how its text is read. The variables keep their historical units (seconds,
/// milliseconds, comma lists); <see cref="DecnetBusOptionsSetup"/> turns them into the binder's format.
/// </summary>
internal static class DecnetBusVariableMap
{
    public static readonly IReadOnlyList<Row> Rows =
    [
        new(DecnetBusVariables.Enabled, nameof(DecnetBusOptions.Enabled), ValueKind.Boolean),
        new(DecnetBusVariables.Type, nameof(DecnetBusOptions.Type), ValueKind.TrimmedText),
        new(DecnetBusVariables.Socket, nameof(DecnetBusOptions.SocketPath), ValueKind.Text),
        new(DecnetBusVariables.Group, nameof(DecnetBusOptions.Group), ValueKind.Text),
        new(DecnetBusVariables.QueueSize, nameof(DecnetBusOptions.QueueSize), ValueKind.Integer),
        new(DecnetBusVariables.Echo, nameof(DecnetBusOptions.Echo), ValueKind.Boolean),
        new(DecnetBusVariables.HeartbeatSeconds, nameof(DecnetBusOptions.HeartbeatInterval), ValueKind.Seconds),
        new(DecnetBusVariables.KeepaliveSeconds, nameof(DecnetBusOptions.KeepaliveInterval), ValueKind.Seconds),
        new(DecnetBusVariables.ClientName, nameof(DecnetBusOptions.ClientName), ValueKind.Text),
        new(DecnetBusVariables.ReconnectMinMs, nameof(DecnetBusOptions.ReconnectMinDelay), ValueKind.Milliseconds),
        new(DecnetBusVariables.ReconnectMaxMs, nameof(DecnetBusOptions.ReconnectMaxDelay), ValueKind.Milliseconds),
        new(DecnetBusVariables.MaxFrameBytes, nameof(DecnetBusOptions.MaxFrameBytes), ValueKind.Integer),
        new(DecnetBusVariables.MaxTopicBytes, nameof(DecnetBusOptions.MaxTopicBytes), ValueKind.Integer),
        new(DecnetBusVariables.MaxSubscriptions, nameof(DecnetBusOptions.MaxSubscriptionsPerConnection), ValueKind.Integer),
        new(DecnetBusVariables.MaxConnections, nameof(DecnetBusOptions.MaxConnections), ValueKind.Integer),
        new(DecnetBusVariables.MaxConnectionsPerUid, nameof(DecnetBusOptions.MaxConnectionsPerUid), ValueKind.Integer),
        new(DecnetBusVariables.MaxHandshaking, nameof(DecnetBusOptions.MaxHandshakingConnections), ValueKind.Integer),
        new(DecnetBusVariables.MaxTotalQueueBytes, nameof(DecnetBusOptions.MaxTotalQueueBytes), ValueKind.Long),
        new(DecnetBusVariables.SendBufferBytes, nameof(DecnetBusOptions.SendBufferBytes), ValueKind.Integer),
        new(DecnetBusVariables.MaxPatternTokens, nameof(DecnetBusOptions.MaxPatternTokens), ValueKind.Integer),
        new(DecnetBusVariables.MaxQueueBytes, nameof(DecnetBusOptions.MaxQueueBytes), ValueKind.Integer),
        new(DecnetBusVariables.HandshakeTimeoutSeconds, nameof(DecnetBusOptions.HandshakeTimeout), ValueKind.Seconds),
        new(DecnetBusVariables.IdleTimeoutSeconds, nameof(DecnetBusOptions.IdleTimeout), ValueKind.Seconds),
        new(DecnetBusVariables.StallTimeoutSeconds, nameof(DecnetBusOptions.StallTimeout), ValueKind.Seconds),
        new(DecnetBusVariables.CatchUpWaitMs, nameof(DecnetBusOptions.CatchUpWait), ValueKind.Milliseconds),
        new(DecnetBusVariables.AllowUids, nameof(DecnetBusOptions.AllowUids), ValueKind.IdList),
        new(DecnetBusVariables.AllowGids, nameof(DecnetBusOptions.AllowGids), ValueKind.IdList),
        new(DecnetBusVariables.AclFile, nameof(DecnetBusOptions.AclFile), ValueKind.TrimmedText),
        new(DecnetBusVariables.BrokerUid, nameof(DecnetBusOptions.BrokerUid), ValueKind.OptionalId),
        new(DecnetBusVariables.NatsUrl, Nats(nameof(DecnetBusNatsOptions.Url)), ValueKind.TrimmedText),
        new(DecnetBusVariables.NatsCreds, Nats(nameof(DecnetBusNatsOptions.CredentialsFile)), ValueKind.TrimmedText),
        new(DecnetBusVariables.NatsUser, Nats(nameof(DecnetBusNatsOptions.User)), ValueKind.Text),
        new(DecnetBusVariables.NatsPassword, Nats(nameof(DecnetBusNatsOptions.Password)), ValueKind.Text),
        new(DecnetBusVariables.NatsToken, Nats(nameof(DecnetBusNatsOptions.Token)), ValueKind.Text),
        new(DecnetBusVariables.NatsTlsCa, Nats(nameof(DecnetBusNatsOptions.TlsCaFile)), ValueKind.TrimmedText),
        new(DecnetBusVariables.NatsTlsCert, Nats(nameof(DecnetBusNatsOptions.TlsCertFile)), ValueKind.TrimmedText),
        new(DecnetBusVariables.NatsTlsKey, Nats(nameof(DecnetBusNatsOptions.TlsKeyFile)), ValueKind.TrimmedText),
    ];

    private static string Nats(string property) => $"{nameof(DecnetBusOptions.Nats)}:{property}";

    /// <summary>How a variable's text is written.</summary>
    public enum ValueKind
    {
        /// <summary>Taken as is.</summary>
        Text,

        /// <summary>Taken without surrounding white space.</summary>
        TrimmedText,

        /// <summary>true/false, 1/0, yes/no, on/off.</summary>
        Boolean,

        /// <summary>A 32-bit integer.</summary>
        Integer,

        /// <summary>A 64-bit integer.</summary>
        Long,

        /// <summary>Seconds (fractions allowed) → <see cref="TimeSpan"/>.</summary>
        Seconds,

        /// <summary>Whole milliseconds → <see cref="TimeSpan"/>.</summary>
        Milliseconds,

        /// <summary>Comma-separated non-negative ids → a list that replaces the section's.</summary>
        IdList,

        /// <summary>A non-negative id, or empty for none.</summary>
        OptionalId,
    }

    /// <summary>One variable: its name, the property path it sets, and how it is written.</summary>
    public sealed record Row(string Variable, string Key, ValueKind Kind);
}
