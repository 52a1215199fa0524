using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>Log messages of Python (text-protocol) connections; client-chosen text is escaped first (docs/reliability.md).</summary>
internal static partial class TextLog
{
    [LoggerMessage(60, LogLevel.Warning, "Closed a connection from pid {Pid} uid {Uid}: its first byte 0x{First:X2} starts neither protocol (0x00 MessagePack, A-Z Python text)")]
    public static partial void UnknownProtocol(ILogger logger, int pid, int uid, int first);

    [LoggerMessage(61, LogLevel.Warning, "Dropped an event for Python client {Name} (pid {Pid}): {Reason} (further untranslatable events on this connection are counted, not logged)")]
    private static partial void LogUntranslatableEvent(ILogger logger, string name, int pid, string reason);

    [LoggerMessage(63, LogLevel.Warning, "Dropped a publish on {Topic} from Python client {Name} (pid {Pid}): {Reason} (further untranslatable events on this connection are counted, not logged)")]
    private static partial void LogUntranslatablePublish(ILogger logger, string topic, string name, int pid, string reason);

    /// <summary>An event for this subscriber has no JSON form (the first on the connection).</summary>
    public static void UntranslatableEvent(ILogger logger, string name, int pid, string reason)
        => LogUntranslatableEvent(logger, UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));

    /// <summary>The client's own publish has no MessagePack form (the first on the connection).</summary>
    public static void UntranslatablePublish(ILogger logger, string topic, string name, int pid, string reason)
        => LogUntranslatablePublish(logger, UntrustedText.Escape(topic), UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));

    [LoggerMessage(62, LogLevel.Warning, "Dropped a publish from Python client {Name} (pid {Pid}): {Reason} (further refusals on this connection are counted, not logged)")]
    private static partial void LogPublishRefused(ILogger logger, string name, int pid, string reason);

    public static void PublishRefused(ILogger logger, string name, int pid, string reason)
        => LogPublishRefused(logger, UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));
}
