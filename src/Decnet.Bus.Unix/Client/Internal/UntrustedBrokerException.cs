namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The process listening on the socket runs as a uid the client does not trust as its broker.</summary>
internal sealed class UntrustedBrokerException(int? brokerUid, int clientUid)
    : Exception($"the process on the socket runs as uid {brokerUid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, which is not root, this client's uid {clientUid}, the owner of the socket's directory or DECNET_BUS_BROKER_UID; refusing to talk to it")
{
    public int? BrokerUid { get; } = brokerUid;
}
