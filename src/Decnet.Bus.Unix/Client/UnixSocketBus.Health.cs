namespace Decnet.Bus.Unix;

/// <summary>The connection state for the health check and the refusal count for the meter (docs/Service-Bus.md, "Health checks", "Metrics").</summary>
public sealed partial class UnixSocketBus : IBusConnectionStatus, Decnet.Bus.Internal.IBrokerRefusalCount
{
    /// <summary>Raised after every change of the connection state, on the thread that made it (tests await it).</summary>
    internal event Action? StateChanged;

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

    private void SetState(ConnectionState state)
    {
        _state = state;
        StateChanged?.Invoke();
    }
}
