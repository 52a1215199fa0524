namespace Decnet.Mutator.Events;

/// <summary>What <see cref="MutationEventEmitter.EmitAsync"/> did on each path.</summary>
public sealed class MutationEmitResult
{
    internal MutationEmitResult(
        DeckyMutatedEvent mutatedEvent,
        string line,
        string logFile,
        (MutationSyslogFailure Kind, string? Reason) write,
        string topic,
        (MutationBusFailure Kind, string? Reason) publish)
    {
        Event = mutatedEvent;
        Line = line;
        LogFile = logFile;
        WriteFailure = write.Kind;
        WriteError = write.Reason;
        Topic = topic;
        PublishFailure = publish.Kind;
        PublishError = publish.Reason;
    }

    /// <summary>The validated event.</summary>
    public DeckyMutatedEvent Event { get; }

    /// <summary>The syslog line (with its trailing <c>\n</c>).</summary>
    public string Line { get; }

    /// <summary>The ingest log the line was appended to (or should have been).</summary>
    public string LogFile { get; }

    /// <summary>True when the line was appended to <see cref="LogFile"/>.</summary>
    public bool Written => WriteError is null;

    /// <summary>Why the line was not written, or null: a message for people.</summary>
    public string? WriteError { get; }

    /// <summary>What kind of failure kept the line out of the log; <see cref="MutationSyslogFailure.None"/> when written.</summary>
    public MutationSyslogFailure WriteFailure { get; }

    /// <summary>The bus topic, <c>decky.{id}.mutation</c>.</summary>
    public string Topic { get; }

    /// <summary>
    /// True when the event was handed to the transport and the transport did not report dropping it (a disabled
    /// <see cref="Bus.NullBus"/> does not count). Delivery stays at-most-once: a transport that reports its connection
    /// (<c>IBusConnectionStatus</c>: the Unix and NATS ones) makes an event dropped because the broker is unreachable
    /// <see cref="MutationBusFailure.Dropped"/>; one lost later (a connection that breaks after the write, a broker
    /// that refuses it) is not seen here (docs/mutation-events.md, "Failure semantics").
    /// </summary>
    public bool Published => PublishError is null;

    /// <summary>Why the event was not published, or null: a message for people.</summary>
    public string? PublishError { get; }

    /// <summary>What kind of failure kept the event off the bus; <see cref="MutationBusFailure.None"/> when published.</summary>
    public MutationBusFailure PublishFailure { get; }

    /// <summary>True when both paths succeeded.</summary>
    public bool Succeeded => Written && Published;
}
