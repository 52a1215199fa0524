using Microsoft.Extensions.Logging;

namespace Decnet.Cli.Bridge;

/// <summary>Log messages of the bridge; strings from the network, and exception messages, are escaped by the caller.</summary>
internal static partial class BridgeLog
{
    [LoggerMessage(1, LogLevel.Warning, "bridge: cannot {Direction} {Topic}: {Reason}")]
    public static partial void Refused(ILogger logger, string direction, string topic, string reason);

    [LoggerMessage(2, LogLevel.Warning, "bridge: --import '{Pattern}' is not confined to other hosts' prefixes: any NATS publisher can put the topics it matches on this host's bus as they are{Mutations}; import other hosts' prefixes instead, e.g. 'host.>' (docs/cross-host.md)")]
    public static partial void OpenImport(ILogger logger, string pattern, string mutations);
}
