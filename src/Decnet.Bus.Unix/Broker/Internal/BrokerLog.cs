using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The broker's log messages (source-generated). What a client chose (its name, and the reasons that quote its topics,
/// patterns and types) goes through <see cref="UntrustedText.Escape"/> first, so no client can forge or hide a log line.
/// </summary>
internal static partial class BrokerLog
{
    [LoggerMessage(1, LogLevel.Information, "Bus broker listening on {Path} (mode 0660, group {Group})")]
    public static partial void Listening(ILogger logger, string path, string group);

    [LoggerMessage(2, LogLevel.Warning, "Group '{Group}' does not exist; the bus socket {Path} stays 0660 owned by the broker's own group")]
    public static partial void GroupMissing(ILogger logger, string group, string path);

    [LoggerMessage(22, LogLevel.Warning, "This user is not in group '{Group}' (DECNET_BUS_GROUP's default), so the bus socket {Path} stays 0660 owned by the broker's own group; add the user to the group, or set DECNET_BUS_GROUP")]
    public static partial void GroupRefused(ILogger logger, string group, string path);

    [LoggerMessage(4, LogLevel.Information, "Replaced a stale bus socket at {Path} (no broker answered)")]
    public static partial void StaleSocketReplaced(ILogger logger, string path);

    [LoggerMessage(5, LogLevel.Debug, "Client {Name} connected (pid {Pid}, uid {Uid})")]
    private static partial void LogClientConnected(ILogger logger, string name, int pid, int uid);

    public static void ClientConnected(ILogger logger, string name, int pid, int uid)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogClientConnected(logger, UntrustedText.Escape(name), pid, uid);
        }
    }

    [LoggerMessage(6, LogLevel.Debug, "Client {Name} (pid {Pid}) disconnected")]
    private static partial void LogClientDisconnected(ILogger logger, string name, int pid);

    public static void ClientDisconnected(ILogger logger, string name, int pid)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogClientDisconnected(logger, UntrustedText.Escape(name), pid);
        }
    }

    [LoggerMessage(7, LogLevel.Information, "Client {Name} (pid {Pid}) broke the protocol ({Code}): {Reason}; disconnecting it")]
    private static partial void LogProtocolViolation(ILogger logger, string name, int pid, string code, string reason);

    public static void ProtocolViolation(ILogger logger, string name, int pid, string code, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogProtocolViolation(logger, UntrustedText.Escape(name), pid, code, UntrustedText.Excerpt(reason, 1024));
        }
    }

    [LoggerMessage(8, LogLevel.Debug, "Client {Name} (pid {Pid}) connection failed: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string name, int pid, string reason);

    public static void ConnectionFailed(ILogger logger, string name, int pid, string reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogConnectionFailed(logger, UntrustedText.Escape(name), pid, UntrustedText.Excerpt(reason, 1024));
        }
    }

    [LoggerMessage(9, LogLevel.Warning, "Refused a connection from pid {Pid} uid {Uid}: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, int pid, int uid, string reason);

    [LoggerMessage(10, LogLevel.Information, "Bus broker stopped; removed {Path}")]
    public static partial void Stopped(ILogger logger, string path);

    [LoggerMessage(15, LogLevel.Information, "Bus broker stopped; {Path} was not its socket, left in place")]
    public static partial void StoppedWithoutSocket(ILogger logger, string path);

    [LoggerMessage(11, LogLevel.Warning, "Bus broker cannot accept connections: {Reason}; serving the connected clients and retrying with backoff")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(16, LogLevel.Information, "Bus broker accepts connections again (after {Failures} failed attempts)")]
    public static partial void AcceptRecovered(ILogger logger, int failures);

    [LoggerMessage(17, LogLevel.Warning, "DECNET_BUS_MAX_CONNECTIONS={Configured} does not fit the file-descriptor limit {Limit} ({Open} open, {Headroom} kept free); serving at most {Effective} connections. Raise LimitNOFILE (systemd) or ulimit -n")]
    public static partial void ConnectionsClamped(ILogger logger, int configured, ulong limit, int open, int headroom, int effective);

    [LoggerMessage(21, LogLevel.Information, "DECNET_BUS_SEND_BUFFER_BYTES={Asked} is above net.core.wmem_max={Cap}: each connection gets a {Granted}-byte send buffer. Raise net.core.wmem_max (sysctl) for the full size, or set the variable to 0 to keep the kernel's default quietly")]
    public static partial void SendBufferCapped(ILogger logger, int asked, int cap, long granted);

    [LoggerMessage(12, LogLevel.Error, "Unexpected failure on the connection of {Name} (pid {Pid}); disconnecting it")]
    private static partial void LogConnectionBug(ILogger logger, string name, int pid, Exception exception);

    public static void ConnectionBug(ILogger logger, string name, int pid, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Error))
        {
            LogConnectionBug(logger, UntrustedText.Escape(name), pid, exception);
        }
    }

    [LoggerMessage(13, LogLevel.Warning, "Client {Name} (pid {Pid}) read nothing for {Seconds} s while the broker had bytes for it (stalled); disconnecting it")]
    private static partial void LogConnectionStalled(ILogger logger, string name, int pid, double seconds);

    public static void ConnectionStalled(ILogger logger, string name, int pid, double seconds)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogConnectionStalled(logger, UntrustedText.Escape(name), pid, seconds);
        }
    }

    [LoggerMessage(14, LogLevel.Warning, "Refused a connection from pid {Pid} uid {Uid} gid {Gid}: not on the allow-lists ({Allowed})")]
    public static partial void PermissionDenied(ILogger logger, int pid, int uid, int gid, string allowed);

    [LoggerMessage(20, LogLevel.Information, "Client {Name} (pid {Pid}) made a request the broker refused ({Code}): {Reason}; answered ERR and kept the connection (further refusals on it are counted, not logged)")]
    private static partial void LogRequestRejected(ILogger logger, string name, int pid, string code, string reason);

    public static void RequestRejected(ILogger logger, string name, int pid, string code, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogRequestRejected(logger, UntrustedText.Escape(name), pid, code, UntrustedText.Excerpt(reason, 1024));
        }
    }

    [LoggerMessage(23, LogLevel.Debug, "Warmed up: {Delivered} events through a broker of its own in {Milliseconds:F0} ms")]
    public static partial void WarmedUp(ILogger logger, int delivered, double milliseconds);

    [LoggerMessage(24, LogLevel.Warning, "The start-up warm-up failed ({Reason}); the broker runs as usual, and its first events wait for the runtime to compile their path")]
    public static partial void WarmUpFailed(ILogger logger, string reason);
}
