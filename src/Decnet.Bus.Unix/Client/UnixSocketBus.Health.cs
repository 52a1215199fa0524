namespace Decnet.Bus.Unix;

/// <summary>The connection state for the health check (docs/Service-Bus.md, "Health checks").</summary>
public sealed partial class UnixSocketBus : IBusConnectionStatus
{
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
