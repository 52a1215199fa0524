namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The inner exception of a <see cref="BusUnavailableException"/> when this user may not connect at all: the socket's
/// permissions refused connect(2) (EACCES), or the broker's allow-list answered the handshake with ERR 12. The broker
/// may well run, so the CLI reports it apart from "unavailable" (docs/operations.md, exit 77); the cause is inside.
/// </summary>
internal sealed class ConnectDeniedException(string message, Exception cause) : Exception(message, cause)
{
    /// <summary>
    /// <paramref name="ex"/> when it refused this user (EACCES on connect(2), or ERR 12), else null.
    /// </summary>
    public static Exception? From(Exception ex) => ex switch
    {
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied } => ex,
        BrokerRefusedException { Code: Protocol.BusErrorCode.PermissionDenied } => ex,
        _ => null,
    };
}
