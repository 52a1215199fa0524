namespace Decnet.Bus.Unix;

/// <summary>The connection state for the health check and the refusal count for the meter (docs/dotnet-hosts.md, "Health checks", "Metrics").</summary>
public sealed partial class UnixSocketBus : IBusConnectionStatus, Decnet.Bus.Internal.IBrokerRefusalCount
{
    /// <inheritdoc />
    long Decnet.Bus.Internal.IBrokerRefusalCount.BrokersRefused => UntrustedBrokers;

    /// <inheritdoc />
    BusConnectionState IBusConnectionStatus.State => !Volatile.Read(ref _started)
        ? BusConnectionState.Idle
        : _state switch
        {
            ConnectionState.Connected => BusConnectionState.Connected,
            ConnectionState.Connecting => BusConnectionState.Connecting,
            _ => BusConnectionState.Disconnected,
        };
}
