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

    // The latest attempt's connect(2) refused by the socket's permissions (EACCES), else null: "unavailable" would send
    // the operator to start a broker that runs; what is missing is this user's access (docs/operations.md).
    private volatile SocketException? _denied;

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

        if (_denied is { } denied)
        {
            return new(SocketPath, $"bus: permission denied connecting to {UntrustedText.Escape(SocketPath)} ({DescribeAccess(SocketPath)})", denied);
        }

        // The path may come from an argument, the environment or a file: escaped like anything else that reaches a
        // terminal or a log.
        return new(SocketPath, SocketPath.Length == 0
            ? $"bus: unavailable: {DecnetBusOptions.NoSocketPathMessage}"
            : $"bus: unavailable at {UntrustedText.Escape(SocketPath)} (is 'decnet bus' running?)");
    }

    /// <summary>Whether a failed connect was refused by the permissions on the path (EACCES, EPERM).</summary>
    internal static SocketException? AsDenied(Exception ex)
        => ex is SocketException { SocketErrorCode: SocketError.AccessDenied } denied ? denied : null;

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
