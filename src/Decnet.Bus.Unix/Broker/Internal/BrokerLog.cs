using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>The broker's log messages (source-generated).</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(1, LogLevel.Information, "Bus broker listening on {Path} (mode 0660, group {Group})")]
    public static partial void Listening(ILogger logger, string path, string group);

    [LoggerMessage(2, LogLevel.Warning, "Group '{Group}' does not exist; the bus socket {Path} stays 0660 owned by the broker's own group")]
    public static partial void GroupMissing(ILogger logger, string group, string path);

    [LoggerMessage(3, LogLevel.Warning, "Could not give the bus socket {Path} to group '{Group}': {Reason}")]
    public static partial void ChownFailed(ILogger logger, string path, string group, string reason);

    [LoggerMessage(4, LogLevel.Information, "Replaced a stale bus socket at {Path} (no broker answered)")]
    public static partial void StaleSocketReplaced(ILogger logger, string path);

    [LoggerMessage(5, LogLevel.Debug, "Client {Name} connected (pid {Pid}, uid {Uid})")]
    public static partial void ClientConnected(ILogger logger, string name, int pid, int uid);

    [LoggerMessage(6, LogLevel.Debug, "Client {Name} (pid {Pid}) disconnected")]
    public static partial void ClientDisconnected(ILogger logger, string name, int pid);

    [LoggerMessage(7, LogLevel.Information, "Client {Name} (pid {Pid}) broke the protocol ({Code}): {Reason}; disconnecting it")]
    public static partial void ProtocolViolation(ILogger logger, string name, int pid, string code, string reason);

    [LoggerMessage(8, LogLevel.Debug, "Client {Name} (pid {Pid}) connection failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string name, int pid, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Refused a connection from pid {Pid}: already {Count} connections (limit)")]
    public static partial void TooManyConnections(ILogger logger, int pid, int count);

    [LoggerMessage(10, LogLevel.Information, "Bus broker stopped; removed {Path}")]
    public static partial void Stopped(ILogger logger, string path);

    [LoggerMessage(15, LogLevel.Information, "Bus broker stopped; {Path} was not its socket, left in place")]
    public static partial void StoppedWithoutSocket(ILogger logger, string path);

    [LoggerMessage(11, LogLevel.Warning, "Bus broker accept loop failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(12, LogLevel.Error, "Unexpected failure on the connection of {Name} (pid {Pid}); disconnecting it")]
    public static partial void ConnectionBug(ILogger logger, string name, int pid, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "Client {Name} (pid {Pid}) read nothing for {Seconds} s while the broker had bytes for it (stalled); disconnecting it")]
    public static partial void ConnectionStalled(ILogger logger, string name, int pid, double seconds);

    [LoggerMessage(14, LogLevel.Warning, "Refused a connection from pid {Pid} uid {Uid} gid {Gid}: not on the allow-lists ({Allowed})")]
    public static partial void PermissionDenied(ILogger logger, int pid, int uid, int gid, string allowed);

    [LoggerMessage(16, LogLevel.Information, "Client {Name} (pid {Pid}) made a request the broker refused ({Code}): {Reason}; answered ERR and kept the connection (further refusals on it are counted, not logged)")]
    public static partial void RequestRejected(ILogger logger, string name, int pid, string code, string reason);
}
