using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>Log messages of Python (text-protocol) connections; client-chosen text is escaped first (docs/reliability.md).</summary>
internal static partial class TextLog
{
    [LoggerMessage(60, LogLevel.Warning, "Closed a connection from pid {Pid} uid {Uid}: its first byte 0x{First:X2} starts neither protocol (0x00 MessagePack, A-Z Python text)")]
    public static partial void UnknownProtocol(ILogger logger, int pid, int uid, int first);

    [LoggerMessage(61, LogLevel.Warning, "Dropped an event for Python client {Name} (pid {Pid}): {Reason} (further drops on this connection are counted as untranslatable, not logged)")]
    private static partial void LogUntranslatable(ILogger logger, string name, int pid, string reason);

    public static void Untranslatable(ILogger logger, string name, int pid, string reason)
        => LogUntranslatable(logger, UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));

    [LoggerMessage(62, LogLevel.Warning, "Dropped a publish from Python client {Name} (pid {Pid}): {Reason} (further refusals on this connection are counted, not logged)")]
    private static partial void LogPublishRefused(ILogger logger, string name, int pid, string reason);

    public static void PublishRefused(ILogger logger, string name, int pid, string reason)
        => LogPublishRefused(logger, UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));
}
