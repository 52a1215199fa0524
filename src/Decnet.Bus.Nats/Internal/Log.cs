using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats;

/// <summary>Log messages of <see cref="NatsBus"/>; every string from the network is escaped by the caller.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "nats: lost the connection to {Server}; reconnecting, publishes are dropped and counted meanwhile")]
    public static partial void Disconnected(ILogger logger, string server);

    [LoggerMessage(2, LogLevel.Information, "nats: reconnected to {Server}; subscriptions re-established")]
    public static partial void Reconnected(ILogger logger, string server);

    [LoggerMessage(3, LogLevel.Warning, "nats: server error: {Error}")]
    public static partial void ServerError(ILogger logger, string error);

    [LoggerMessage(4, LogLevel.Warning, "nats: dropped a message on {Subject}: {Error}")]
    public static partial void Rejected(ILogger logger, string subject, string error);

    [LoggerMessage(5, LogLevel.Warning, "nats: subscription {Pattern} not confirmed by the server ({Error}); it goes live when the connection is back")]
    public static partial void SubscribeNotConfirmed(ILogger logger, string pattern, string error);

    // The error, not the exception: a sink prints an exception's messages raw, and the client's quote the server.
    [LoggerMessage(6, LogLevel.Error, "nats: cannot connect to {Url}: {Error}")]
    public static partial void ConnectFailed(ILogger logger, string url, string error);

    [LoggerMessage(7, LogLevel.Debug, "nats: the client's own dispose did not finish after its socket closed: {Error}")]
    public static partial void DisposeIncomplete(ILogger logger, string error);

    [LoggerMessage(8, LogLevel.Warning, "nats: the server has taken none of this client's publishes for {Seconds} s (DECNET_BUS_STALL_TIMEOUT_S); publishes are dropped and counted until it reads again")]
    public static partial void StallBegan(ILogger logger, double seconds);

    [LoggerMessage(9, LogLevel.Information, "nats: the server reads again; publishes go through")]
    public static partial void StallEnded(ILogger logger);

    // A failure no outage explains (a bug, here or in the client): its stack, on the line, as the error is escaped.
    [LoggerMessage(10, LogLevel.Error, "nats: connecting to {Url} failed unexpectedly; retrying with backoff: {Error}")]
    public static partial void UnexpectedConnectFailure(ILogger logger, string url, string error);

    [LoggerMessage(11, LogLevel.Warning, "nats: closed with {Count} publishes the server had not confirmed within {Seconds} s; dropped and counted")]
    public static partial void Unflushed(ILogger logger, long count, double seconds);

    /// <summary>
    /// The wait between first-connect attempts failed in a way it never should (a bug); the attempts go on.
    /// </summary>
    [LoggerMessage(12, LogLevel.Error, "nats: the wait before connecting to {Url} again failed unexpectedly; retrying: {Error}")]
    public static partial void UnexpectedRetryWaitFailure(ILogger logger, string url, string error);

    // Once per reason and outage (NatsBus.OnReconnectFailed); the error, not the exception, as for ConnectFailed.
    [LoggerMessage(13, LogLevel.Warning, "nats: reconnecting to {Url} failed: {Error}; retrying with backoff (this reason is not logged again until connected)")]
    public static partial void ReconnectFailed(ILogger logger, string url, string error);
}
