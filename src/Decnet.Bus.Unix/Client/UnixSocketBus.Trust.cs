using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bus.Unix;

/// <summary>
/// Which process the client accepts as its broker, and how it says there is none: a refused one (another user's, or a
/// squatter on the path) is counted, logged once per uid, and named in place of "unavailable" (docs/operations.md).
/// </summary>
public sealed partial class UnixSocketBus
{
    private int _untrustedBrokers;
    private int _lastUntrustedUid = int.MinValue;

    // Why the latest attempt failed when the process on the socket was refused as untrusted, else null: the explicit
    // connect and stats calls report it instead of "unavailable", which would send the operator to start a broker.
    private volatile UntrustedBrokerException? _untrusted;

    /// <summary>How many connections were dropped because the process on the socket was not a trusted broker.</summary>
    internal int UntrustedBrokers => Volatile.Read(ref _untrustedBrokers);

    /// <summary>
    /// No connection: the broker is down, or (its inner exception an <see cref="UntrustedBrokerException"/>) the
    /// process on the socket was refused as untrusted, which the CLI reports apart (docs/operations.md, exit codes).
    /// </summary>
    private BusUnavailableException Unavailable()
    {
        if (_untrusted is { } untrusted)
        {
            return new(SocketPath, untrusted.Describe(SocketPath), untrusted);
        }

        // The path may come from an argument, the environment or a file: escaped like anything else that reaches a
        // terminal or a log.
        return new(SocketPath, SocketPath.Length == 0
            ? $"bus: unavailable: {DecnetBusOptions.NoSocketPathMessage}"
            : $"bus: unavailable at {UntrustedText.Escape(SocketPath)} (is 'decnet bus' running?)");
    }

    /// <summary>Counts a refused broker; logs the first refusal of each impostor uid (retries repeat it).</summary>
    private void CountUntrusted(UntrustedBrokerException untrusted)
    {
        Interlocked.Increment(ref _untrustedBrokers);
        if (Interlocked.Exchange(ref _lastUntrustedUid, untrusted.BrokerUid ?? -1) != (untrusted.BrokerUid ?? -1))
        {
            ClientLog.UntrustedBroker(_logger, ShownPath, untrusted.Message);
        }
    }
}
