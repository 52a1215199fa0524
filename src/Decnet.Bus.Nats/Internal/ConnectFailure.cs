using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>What a failed connect attempt of <see cref="NatsBus"/> says about the server: refused, down, or a bug.</summary>
internal static class ConnectFailure
{
    /// <summary>
    /// True when every exception of the chain is one an unreachable or refusing server, or a bad credential or
    /// certificate, explains; anything else is a bug, logged with its stack.
    /// </summary>
    public static bool IsOutage(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is not (NatsException or SocketException or IOException or TimeoutException
                or OperationCanceledException or ObjectDisposedException or AggregateException or UnauthorizedAccessException
                or AuthenticationException or CryptographicException))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when nothing listens at the URL (the CLI reports that at once instead of waiting).</summary>
    public static bool IsRefused(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when the server refused the credentials (its <c>-ERR 'Authorization Violation'</c>): the server is up, and
    /// what must change is DECNET_BUS_NATS_USER/PASSWORD, TOKEN or CREDS, so the CLI says so instead of "unavailable".
    /// </summary>
    public static bool IsAuthorizationRefused(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is NatsException && ex.Message.Contains("authorization violation", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
