namespace Decnet.Bus.Internal;

/// <summary>A client that counts brokers it refused to talk to (docs/Service-Bus.md, <c>DECNET_BUS_BROKER_UID</c>).</summary>
internal interface IBrokerRefusalCount
{
    /// <summary>Connections dropped because the broker's uid was not trusted.</summary>
    long BrokersRefused { get; }
}
