using Microsoft.Extensions.Logging;

namespace Decnet.Cli.Bridge;

/// <summary>Log messages of the bridge; strings from the network, and exception messages, are escaped by the caller.</summary>
internal static partial class BridgeLog
{
    [LoggerMessage(1, LogLevel.Warning, "bridge: cannot {Direction} {Topic}: {Reason}")]
    public static partial void Refused(ILogger logger, string direction, string topic, string reason);
}
