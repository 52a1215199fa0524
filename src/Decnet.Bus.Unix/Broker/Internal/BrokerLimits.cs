namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>The broker-wide limits, read once from <see cref="DecnetBusOptions"/>.</summary>
internal sealed record BrokerLimits(int MaxFrameBytes, int MaxTopicBytes, int MaxSubscriptionsPerConnection, int MaxConnections, int QueueSize)
{
    public static BrokerLimits From(DecnetBusOptions options) => new(
        Math.Max(options.MaxFrameBytes, Protocol.ProtocolConstants.MinMaxFrame),
        Math.Max(options.MaxTopicBytes, 1),
        Math.Max(options.MaxSubscriptionsPerConnection, 1),
        Math.Max(options.MaxConnections, 1),
        Math.Clamp(options.QueueSize, 1, Protocol.ProtocolConstants.MaxQueueSize));
}
