using System.Globalization;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The process listening on the socket runs as a uid the client does not trust as its broker.</summary>
internal sealed class UntrustedBrokerException(int? brokerUid, int clientUid)
    : Exception($"the process on the socket {Untrusted(brokerUid, clientUid)}; refusing to talk to it")
{
    public int? BrokerUid { get; } = brokerUid;

    /// <summary>
    /// The one-line reason a caller that asked to connect now (the CLI) reports instead of "unavailable": the broker
    /// may be up, so waiting for it or restarting it would not help. Names the path (escaped: it may come from the
    /// environment), the uid, and how to trust it, or that another user may have taken the path.
    /// </summary>
    public string Describe(string socketPath)
    {
        var path = UntrustedText.Escape(socketPath);
        if (BrokerUid is not { } uid)
        {
            return $"bus: refusing the process on {path} as the broker: its uid cannot be read (SO_PEERCRED), so it cannot be trusted";
        }

        return $"bus: refusing the process on {path} as the broker: it {Untrusted(uid, clientUid)}; if it is your broker, "
            + $"set DECNET_BUS_BROKER_UID={uid} to trust it, otherwise another user has taken the socket path";
    }

    /// <summary>Who the process is and whom the client trusts, for both the exception's message and the CLI's line.</summary>
    private static string Untrusted(int? brokerUid, int clientUid)
        => $"runs as uid {brokerUid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, which is not root, this client's uid "
            + $"{clientUid}, the owner of the socket's directory or DECNET_BUS_BROKER_UID";
}
