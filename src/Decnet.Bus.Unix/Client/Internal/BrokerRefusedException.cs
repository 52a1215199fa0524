using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The broker answered the handshake with ERR (for example: too many connections).</summary>
internal sealed class BrokerRefusedException(BusErrorCode code, string message) : Exception($"broker refused the connection ({code}): {message}")
{
    public BusErrorCode Code { get; } = code;
}
