namespace Decnet.Bus.Nats;

/// <summary>The connection state for the health check (docs/dotnet-hosts.md, "Health checks").</summary>
public sealed partial class NatsBus : IBusConnectionStatus
{
    /// <inheritdoc />
    /// <remarks>
    /// As the Unix client reports it: Idle until first used, Connecting until the first attempt ends, then Connected
    /// while the connection is open and Disconnected otherwise (the client is reconnecting, or disposed).
    /// </remarks>
    BusConnectionState IBusConnectionStatus.State
    {
        get
        {
            // _started is set under _startGate; a stale false only reads Idle a moment longer, as it does on Unix.
            if (!Volatile.Read(ref _started))
            {
                return BusConnectionState.Idle;
            }

            if (IsConnected)
            {
                return BusConnectionState.Connected;
            }

            return _firstAttempt.Task.IsCompleted ? BusConnectionState.Disconnected : BusConnectionState.Connecting;
        }
    }
}
