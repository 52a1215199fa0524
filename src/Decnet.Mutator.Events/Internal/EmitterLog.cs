using Microsoft.Extensions.Logging;

namespace Decnet.Mutator.Events.Internal;

/// <summary>Source-generated log messages of the emitter.</summary>
internal static partial class EmitterLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "decky_mutated line for {Decky} not written ({Kind}): {Reason}")]
    public static partial void SyslogFailed(ILogger logger, string decky, string kind, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Mutation event for {Decky} not published on {Topic} ({Kind}): {Reason}")]
    public static partial void BusFailed(ILogger logger, string decky, string topic, string kind, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Mutation event for {Decky} dropped: the bus is disabled (NullBus)")]
    public static partial void BusDisabled(ILogger logger, string decky);
}
