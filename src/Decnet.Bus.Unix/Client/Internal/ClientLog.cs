using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The client's log messages (source-generated). Whatever the broker (or whoever answers on its socket) sent, ERR
/// messages and the reasons quoting them, goes through <see cref="UntrustedText.Escape"/> first, and ERR texts are cut
/// as well (<see cref="BrokerText"/>).
/// </summary>
internal static partial class ClientLog
{
    /// <summary>The most characters of a broker's ERR text quoted in a log line or an exception message.</summary>
    internal const int MaxBrokerTextChars = 1024;

    /// <summary>
    /// A broker's ERR text as the client quotes it: its first <see cref="MaxBrokerTextChars"/> characters, escaped, and
    /// how many more there were. The broker writes it, so the broker must not choose how long a log line is.
    /// </summary>
    public static string BrokerText(string? text) => UntrustedText.Excerpt(text, MaxBrokerTextChars);

    [LoggerMessage(101, LogLevel.Information, "Connected to the bus broker at {Path} (broker pid {Pid})")]
    public static partial void Connected(ILogger logger, string path, int pid);

    [LoggerMessage(102, LogLevel.Debug, "Bus broker at {Path} unavailable: {Reason}; retrying in {DelayMs} ms")]
    private static partial void LogConnectFailed(ILogger logger, string path, string reason, long delayMs);

    public static void ConnectFailed(ILogger logger, string path, string reason, long delayMs)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogConnectFailed(logger, path, UntrustedText.Escape(reason), delayMs);
        }
    }

    [LoggerMessage(103, LogLevel.Information, "Lost the bus broker at {Path}: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string path, string reason);

    public static void Disconnected(ILogger logger, string path, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogDisconnected(logger, path, UntrustedText.Escape(reason));
        }
    }

    [LoggerMessage(104, LogLevel.Warning, "Bus broker at {Path} reported error {Code}: {Message}")]
    private static partial void LogBrokerError(ILogger logger, string path, string code, string message);

    public static void BrokerError(ILogger logger, string path, string code, string message)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogBrokerError(logger, path, code, UntrustedText.Escape(message));
        }
    }

    /// <summary>The first failed attempt of an outage: visible at the default level, so a worker pointed at the wrong socket is noticed.</summary>
    [LoggerMessage(106, LogLevel.Warning, "Cannot reach the bus broker at {Path}: {Reason}; events published meanwhile are dropped; retrying quietly until it answers")]
    public static partial void Unreachable(ILogger logger, string path, string reason);

    [LoggerMessage(105, LogLevel.Debug, "Dropped a malformed frame from the bus broker: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);

    /// <summary>A malformed EVT after the first of its connection (<see cref="MalformedEvent"/>), bounded.</summary>
    public static void BadFrame(ILogger logger, string reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogBadFrame(logger, BrokerText(reason));
        }
    }

    [LoggerMessage(119, LogLevel.Warning, "Dropped a malformed event from the bus broker at {Path}: {Reason}; counted as dropped (further ones on this connection are logged at Debug)")]
    private static partial void LogMalformedEvent(ILogger logger, string path, string reason);

    /// <summary>
    /// The first EVT of a connection dropped as malformed: the reason may quote what another process published, so it
    /// is escaped and bounded (<see cref="BrokerText"/>).
    /// </summary>
    public static void MalformedEvent(ILogger logger, string path, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogMalformedEvent(logger, path, BrokerText(reason));
        }
    }

    [LoggerMessage(110, LogLevel.Warning, "Refusing the bus broker at {Path}: {Reason}")]
    public static partial void UntrustedBroker(ILogger logger, string path, string reason);

    [LoggerMessage(109, LogLevel.Warning, "Bus broker at {Path} refused subscription {Sid} ({Code}): {Message}; it is dropped, not retried")]
    public static partial void SubscriptionRejected(ILogger logger, string path, uint sid, string code, string message);

    [LoggerMessage(112, LogLevel.Warning, "Bus broker at {Path} refused subscription {Sid} ({Code}), which this connection has not asked for: {Message}; ignored (further ones on this connection are not logged)")]
    public static partial void StrayRejection(ILogger logger, string path, uint sid, string code, string message);

    [LoggerMessage(107, LogLevel.Warning, "Bus broker at {Path} refused a publish ({Code}): {Message}; refused publishes are counted as dropped (further ones on this connection are not logged)")]
    public static partial void PublishRejected(ILogger logger, string path, string code, string message);

    [LoggerMessage(108, LogLevel.Information, "Bus broker at {Path} closed the connection {LivedMs} ms after its handshake; retrying in {DelayMs} ms")]
    public static partial void ShortLivedConnection(ILogger logger, string path, long livedMs, long delayMs);

    /// <summary>A connect attempt failed in a way none of the expected ones do: logged with its stack (a bug), then retried.</summary>
    [LoggerMessage(111, LogLevel.Error, "Connecting to the bus broker at {Path} failed unexpectedly; retrying with backoff")]
    public static partial void UnexpectedConnectFailure(ILogger logger, string path, Exception exception);

    /// <summary>Ending a connection failed in a way it never should: logged with its stack (a bug), and the client reconnects all the same.</summary>
    [LoggerMessage(113, LogLevel.Error, "Ending the connection to the bus broker at {Path} failed unexpectedly; reconnecting")]
    public static partial void UnexpectedConnectionEnd(ILogger logger, string path, Exception exception);

    /// <summary>
    /// The keepalive loop failed in a way it never should: logged with its stack (a bug; the loop reads no broker text,
    /// so the exception carries none), and the connection ends so that the client reconnects watched again.
    /// </summary>
    [LoggerMessage(114, LogLevel.Error, "The keepalive of the connection to the bus broker at {Path} failed unexpectedly; ending the connection and reconnecting")]
    public static partial void UnexpectedKeepaliveFailure(ILogger logger, string path, Exception exception);

    /// <summary>
    /// The receive or send loop failed in a way none of the expected ones does (a bug): logged once, with the exception
    /// object so its stack reaches the log, and the connection ends (the client reconnects). When a message of its
    /// chain would need escaping (the receive loop reads broker text, which an exception may quote), the line carries
    /// the escaped messages and the stack instead, since a sink given the object prints its messages raw.
    /// </summary>
    public static void UnexpectedLoopFailure(ILogger logger, string path, string loop, Exception exception)
    {
        if (!logger.IsEnabled(LogLevel.Error))
        {
            return;
        }

        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (UntrustedText.NeedsEscaping(e.Message))
            {
                LogUnexpectedLoopFailureEscaped(logger, loop, path, UntrustedText.DescribeExceptionWithStack(exception));
                return;
            }
        }

        LogUnexpectedLoopFailure(logger, loop, path, exception);
    }

    [LoggerMessage(115, LogLevel.Error, "The {Loop} loop of the connection to the bus broker at {Path} failed unexpectedly; reconnecting")]
    private static partial void LogUnexpectedLoopFailure(ILogger logger, string loop, string path, Exception exception);

    [LoggerMessage(116, LogLevel.Error, "The {Loop} loop of the connection to the bus broker at {Path} failed unexpectedly: {Failure}; reconnecting")]
    private static partial void LogUnexpectedLoopFailureEscaped(ILogger logger, string loop, string path, string failure);

    /// <summary>
    /// The wait between reconnect attempts failed in a way it never should (a bug): logged with its stack, then
    /// retried.
    /// </summary>
    [LoggerMessage(117, LogLevel.Error, "The wait before reconnecting to the bus broker at {Path} failed unexpectedly; retrying")]
    public static partial void UnexpectedRetryWaitFailure(ILogger logger, string path, Exception exception);

    /// <summary>
    /// Events queued before the broker's WELCOME broke the limits it announced: dropped (counted), once per connection.
    /// The topic is this process's own, but escaped all the same: a topic may hold any character but a control one.
    /// </summary>
    [LoggerMessage(118, LogLevel.Warning, "Dropped {Count} event(s) published before the bus broker at {Path} announced its limits (max_frame {MaxFrame} bytes, max_topic {MaxTopic} bytes), which they exceed, the first on topic \"{Topic}\"; counted as dropped")]
    private static partial void LogOverLimitBeforeWelcome(ILogger logger, int count, string path, int maxFrame, int maxTopic, string topic);

    public static void OverLimitBeforeWelcome(ILogger logger, int count, string path, int maxFrame, int maxTopic, string topic)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogOverLimitBeforeWelcome(logger, count, path, maxFrame, maxTopic, UntrustedText.Escape(topic));
        }
    }
}
