using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Native;

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

    // The latest attempt refused this user, else null: connect(2) by the socket's permissions (EACCES, a
    // SocketException) or the handshake by the broker's allow-list (ERR 12, a BrokerRefusedException). "Unavailable"
    // would send the operator to start a broker that runs; what is missing is this user's access (docs/operations.md).
    private volatile Exception? _denied;

    /// <summary>How many connections were dropped because the process on the socket was not a trusted broker.</summary>
    internal int UntrustedBrokers => Volatile.Read(ref _untrustedBrokers);

    /// <summary>
    /// No connection: the broker is down, or the process on the socket was refused as untrusted (the inner exception an
    /// <see cref="UntrustedBrokerException"/>), or this user was refused (a <see cref="ConnectDeniedException"/>),
    /// which the CLI reports apart (docs/operations.md, exit codes).
    /// </summary>
    private BusUnavailableException Unavailable()
    {
        if (_untrusted is { } untrusted)
        {
            return new(SocketPath, untrusted.Describe(SocketPath), untrusted);
        }

        if (_denied is BrokerRefusedException refused)
        {
            // The broker's reason names what to change (the allow-list variables); cut and escaped: it is the wire's.
            var message = $"bus: permission denied by the broker at {UntrustedText.Escape(SocketPath)}: {ClientLog.BrokerText(refused.BrokerText)}";
            return new(SocketPath, message, new ConnectDeniedException(message, refused));
        }

        if (_denied is { } denied)
        {
            var message = $"bus: permission denied connecting to {UntrustedText.Escape(SocketPath)} ({DescribeAccess(SocketPath)})";
            return new(SocketPath, message, new ConnectDeniedException(message, denied));
        }

        // The path may come from an argument, the environment or a file: escaped like anything else that reaches a
        // terminal or a log.
        return new(SocketPath, SocketPath.Length == 0
            ? $"bus: unavailable: {DecnetBusOptions.NoSocketPathMessage}"
            : $"bus: unavailable at {UntrustedText.Escape(SocketPath)} (is 'decnet bus' running?)");
    }

    /// <summary>What the operator can check: the socket's group, when its status can be read.</summary>
    private static string DescribeAccess(string path)
    {
        if (Statx.Read(Statx.AtFdCwd, path, 0, out var status) != 0)
        {
            return "is this user allowed to search its directory and in the socket's group?";
        }

        // A group name is the administrator's, not the wire's, but escaped all the same: it reaches the terminal.
        var group = GroupLookup.FindName(status.Gid) is { } name ? $"'{UntrustedText.Escape(name)}'" : $"gid {status.Gid}";
        return $"is this user in the socket's group {group}?";
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
