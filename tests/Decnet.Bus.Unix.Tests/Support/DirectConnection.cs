using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A <see cref="ClientConnection"/> made straight to a broker, without a <c>UnixSocketBus</c> around it, for tests of
/// the connection itself: no keepalive, no catch-up wait, the default send buffer, the system clock, any broker uid.
/// </summary>
internal static class DirectConnection
{
    public static Task<ClientConnection> ConnectAsync(string socketPath, HelloMessage hello, ClientOutbox outbox, Func<uint, ClientSubscription?> findSubscription, ILogger? logger = null, CancellationToken cancellationToken = default)
        => ClientConnection.ConnectAsync(
            socketPath,
            hello,
            outbox,
            findSubscription,
            static _ => { },
            new BusCounterSet("test"),
            logger ?? NullLogger.Instance,
            TimeSpan.Zero,
            TimeSpan.Zero,
            0,
            TimeProvider.System,
            new BrokerIdentity(socketPath, configuredUid: null),
            cancellationToken);
}
