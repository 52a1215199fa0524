using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The client's log messages (source-generated).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(101, LogLevel.Debug, "Connected to the bus broker at {Path} (broker pid {Pid})")]
    public static partial void Connected(ILogger logger, string path, int pid);

    [LoggerMessage(102, LogLevel.Debug, "Bus broker at {Path} unavailable: {Reason}; retrying in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, string path, string reason, long delayMs);

    [LoggerMessage(103, LogLevel.Information, "Lost the bus broker at {Path}: {Reason}")]
    public static partial void Disconnected(ILogger logger, string path, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Bus broker at {Path} reported error {Code}: {Message}")]
    public static partial void BrokerError(ILogger logger, string path, string code, string message);

    [LoggerMessage(105, LogLevel.Debug, "Dropped a malformed frame from the bus broker: {Reason}")]
    public static partial void BadFrame(ILogger logger, string reason);

    [LoggerMessage(106, LogLevel.Warning, "Bus broker at {Path} refused subscription {Sid} ({Code}): {Message}; it is dropped, not retried")]
    public static partial void SubscriptionRejected(ILogger logger, string path, uint sid, string code, string message);

    [LoggerMessage(107, LogLevel.Warning, "Bus broker at {Path} refused a publish ({Code}): {Message}; refused publishes are counted as dropped (further ones on this connection are not logged)")]
    public static partial void PublishRejected(ILogger logger, string path, string code, string message);

    [LoggerMessage(108, LogLevel.Information, "Bus broker at {Path} closed the connection {LivedMs} ms after its handshake; retrying in {DelayMs} ms")]
    public static partial void ShortLivedConnection(ILogger logger, string path, long livedMs, long delayMs);
}
