using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats;

/// <summary>Why reconnects fail, logged once per reason and outage.</summary>
public sealed partial class NatsBus
{
    // The reasons remembered in one outage: several servers, each failing its own way, give a few; more is noise.
    private const int _maxReconnectReasons = 16;

    private readonly HashSet<string> _reconnectReasons = new(StringComparer.Ordinal);
    private readonly Lock _reconnectReasonsGate = new();

    /// <summary>
    /// A reconnect attempt failed (<see cref="NatsClientLogTap"/>, on the client's reconnect loop): its reason is
    /// logged the first time it is seen in this outage, not at every attempt of a server down for hours; a reason
    /// that changes (the server back, refusing the certificate now) is logged as it first appears.
    /// </summary>
    private void OnReconnectFailed(string url, Exception exception)
    {
        var reason = UntrustedText.DescribeException(exception);
        lock (_reconnectReasonsGate)
        {
            if (_reconnectReasons.Count >= _maxReconnectReasons || !_reconnectReasons.Add(reason))
            {
                return;
            }
        }

        Log.ReconnectFailed(_logger, UntrustedText.Escape(url), reason);
    }

    /// <summary>Connected: the next outage logs its reasons afresh.</summary>
    private void ForgetReconnectReasons()
    {
        lock (_reconnectReasonsGate)
        {
            _reconnectReasons.Clear();
        }
    }
}
