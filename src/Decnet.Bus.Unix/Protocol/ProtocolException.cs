namespace Decnet.Bus.Unix.Protocol;

/// <summary>A peer broke the wire protocol; the connection is answered with ERR <see cref="Code"/> and closed.</summary>
internal sealed class ProtocolException(BusErrorCode code, string message) : Exception(message)
{
    public BusErrorCode Code { get; } = code;
}
