using Decnet.Bus;
using Decnet.Mutator.Events.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Mutator.Events;

/// <summary>
/// Records a decky's service transition twice: one durable <c>decky_mutated</c> line appended to the ingest log
/// (docs/mutation-events.md), then one <c>mutation</c> event on <c>decky.{id}.mutation</c> (docs/Service-Bus.md, topics). Each path fails softly:
/// a log fault still publishes, a bus fault still writes, and <see cref="EmitAsync"/> reports both outcomes.
/// </summary>
public sealed class MutationEventEmitter
{
    /// <summary>The envelope <c>type</c> of the bus event.</summary>
    public const string EventType = "mutation";

    private readonly IBus _bus;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly AppendOnlyFileWriter _writer;
    private long _emitted;
    private long _syslogFailures;
    private long _busFailures;
    private readonly long[] _syslogFailuresByKind = new long[Enum.GetValues<MutationSyslogFailure>().Length];
    private readonly long[] _busFailuresByKind = new long[Enum.GetValues<MutationBusFailure>().Length];

    /// <summary>Creates an emitter.</summary>
    /// <param name="options">Where the ingest log is.</param>
    /// <param name="bus">The bus to publish on; null means <see cref="NullBus.Instance"/> (nothing published).</param>
    /// <param name="timeProvider">The clock for the line's TIMESTAMP; null means <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives one warning per failed path; null discards.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message names the variable).</exception>
    public MutationEventEmitter(MutationEventOptions options, IBus? bus = null, TimeProvider? timeProvider = null, ILogger<MutationEventEmitter>? logger = null)
        : this(options, bus, timeProvider, logger, new AppendOnlyFileWriter())
    {
    }

    /// <summary>Creates an emitter with its own file writer (tests cut writes short through it).</summary>
    internal MutationEventEmitter(MutationEventOptions options, IBus? bus, TimeProvider? timeProvider, ILogger<MutationEventEmitter>? logger, AppendOnlyFileWriter writer)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        LogFile = options.LogFile;
        _bus = bus ?? NullBus.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _writer = writer;
    }

    /// <summary>The ingest log this emitter appends to.</summary>
    public string LogFile { get; }

    /// <summary>Events accepted (validated) so far.</summary>
    public long EmittedCount => Interlocked.Read(ref _emitted);

    /// <summary>Lines that could not be written.</summary>
    public long SyslogFailureCount => Interlocked.Read(ref _syslogFailures);

    /// <summary>Events the bus did not accept (a disabled bus is not counted as a failure).</summary>
    public long BusFailureCount => Interlocked.Read(ref _busFailures);

    /// <summary>Lines not written, of one kind (read by the <c>Decnet.Mutator.Events</c> meter).</summary>
    internal long SyslogFailuresOf(MutationSyslogFailure kind) => Interlocked.Read(ref _syslogFailuresByKind[(int)kind]);

    /// <summary>Events not published, of one kind (read by the <c>Decnet.Mutator.Events</c> meter).</summary>
    internal long BusFailuresOf(MutationBusFailure kind) => Interlocked.Read(ref _busFailuresByKind[(int)kind]);

    /// <summary>Validates, appends the line, then publishes the bus event.</summary>
    /// <remarks>
    /// The append runs on the calling thread and may block it: up to 2 s while another process gives back a lease on
    /// the log, then up to 500 ms for the append lock (docs/mutation-events.md, "How the file is written").
    /// Mutations are rare; a caller that must not block calls it from a thread that may.
    /// </remarks>
    /// <param name="decky">The decky id: 1–63 ASCII letters, digits, <c>-</c>, <c>_</c>, starting with a letter or digit.</param>
    /// <param name="oldServices">The services before (empty for <see cref="MutationTrigger.Creation"/>).</param>
    /// <param name="newServices">The services after (empty for <see cref="MutationTrigger.Retirement"/>).</param>
    /// <param name="trigger">Why the services changed.</param>
    /// <param name="actor">Who asked, free text without control characters; null or empty means none.</param>
    /// <param name="cancellationToken">
    /// Checked before anything happens, then once more before the publish (<see cref="MutationBusFailure.Canceled"/>:
    /// nothing handed to the bus). It is not passed into the publish: the transport's wait is bounded, and a cancelled
    /// publish would still be sent.
    /// </param>
    /// <returns>What happened on each path. Transport and I/O faults are reported here, never thrown.</returns>
    /// <exception cref="ArgumentException">An argument breaks its rule (nothing was written or published).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before anything was written.</exception>
    public async ValueTask<MutationEmitResult> EmitAsync(
        string decky,
        IEnumerable<string> oldServices,
        IEnumerable<string> newServices,
        MutationTrigger trigger,
        string? actor = null,
        CancellationToken cancellationToken = default)
    {
        var mutatedEvent = new DeckyMutatedEvent(_timeProvider.GetUtcNow(), decky, oldServices, newServices, trigger, actor);
        cancellationToken.ThrowIfCancellationRequested();
        var line = DeckyMutatedLineFormatter.Format(mutatedEvent);
        var topic = Topics.DeckyMutation(mutatedEvent.Decky);
        Interlocked.Increment(ref _emitted);

        // Syslog first: it is the durable record; the bus is only news.
        var outcome = _writer.Append(LogFile, line);
        if (!outcome.Succeeded)
        {
            Interlocked.Increment(ref _syslogFailures);
            Interlocked.Increment(ref _syslogFailuresByKind[(int)SyslogFailure(outcome.FailureKind)]);
            EmitterLog.SyslogFailed(_logger, mutatedEvent.Decky, outcome.FailureKind!, outcome.Reason!);
        }

        var publish = await PublishAsync(mutatedEvent, topic, cancellationToken).ConfigureAwait(false);
        return new MutationEmitResult(mutatedEvent, line, LogFile, (SyslogFailure(outcome.FailureKind), outcome.Reason), topic, publish);
    }

    /// <summary>The payload of docs/mutation-events.md: snake_case keys, services as lists, <c>actor</c> only when present.</summary>
    internal static Dictionary<string, object> BuildPayload(DeckyMutatedEvent mutatedEvent)
    {
        var payload = new Dictionary<string, object>(5, StringComparer.Ordinal)
        {
            ["decky"] = mutatedEvent.Decky,
            ["old_services"] = mutatedEvent.OldServices.ToArray(),
            ["new_services"] = mutatedEvent.NewServices.ToArray(),
            ["trigger"] = mutatedEvent.Trigger.ToWireString(),
        };
        if (mutatedEvent.Actor is { } actor)
        {
            payload["actor"] = actor;
        }

        return payload;
    }

    private async ValueTask<(MutationBusFailure Kind, string? Reason)> PublishAsync(DeckyMutatedEvent mutatedEvent, string topic, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(_bus, NullBus.Instance))
        {
            EmitterLog.BusDisabled(_logger, mutatedEvent.Decky);
            return (MutationBusFailure.Disabled, "bus is disabled (NullBus); event dropped");
        }

        var (kind, reason) = await TryPublishAsync(mutatedEvent, topic, cancellationToken).ConfigureAwait(false);
        if (kind == MutationBusFailure.None)
        {
            return (kind, null);
        }

        // The log (and the meter's kind tag) keep their lower-case values ("dropped", "canceled", "transport"…).
        var tag = kind.ToString().ToLowerInvariant();
        Interlocked.Increment(ref _busFailures);
        Interlocked.Increment(ref _busFailuresByKind[(int)kind]);
        EmitterLog.BusFailed(_logger, mutatedEvent.Decky, topic, tag, reason!);
        return (kind, reason);
    }

    private async ValueTask<(MutationBusFailure Kind, string? Reason)> TryPublishAsync(DeckyMutatedEvent mutatedEvent, string topic, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return (MutationBusFailure.Canceled, "publish canceled by the caller after the line was handled; nothing was handed to the bus");
        }

        try
        {
            var status = _bus as IBusConnectionStatus;
            var stateBefore = status?.State;
            var droppedBefore = _bus.Counters.Dropped;

            // Not the caller's token: cancelling a publish ends only the transport's wait (bounded, PaceBound); the
            // event is queued before it and still sent, so "canceled" would be a lie a retrying caller pays twice for.
            await _bus.PublishAsync(topic, BuildPayload(mutatedEvent), EventType, CancellationToken.None).ConfigureAwait(false);

            // A transport drops what it cannot send and counts it, never throws: a rise of its counter while it is not
            // connected is this event (docs/mutation-events.md, "Failure semantics").
            if (status is not null && _bus.Counters.Dropped != droppedBefore && WasDisconnected(stateBefore, status.State))
            {
                return (MutationBusFailure.Dropped, "the transport dropped it: the broker is unreachable (bus disconnected)");
            }

            return (MutationBusFailure.None, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Only a transport that ties its own wait to the caller (decnet mutation emit connects inside the publish)
            // throws this without the token: the event never reached a connection.
            return (MutationBusFailure.Canceled, "publish canceled by the caller before the bus took the event");
        }
        catch (ObjectDisposedException ex)
        {
            return (MutationBusFailure.Disposed, $"bus is disposed: {ex.Message}");
        }
#pragma warning disable CA1031 // The contract: no transport fault escapes; any bus exception is reported, not thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (MutationBusFailure.Transport, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Whether a drop during the publish is this event's: the transport was disconnected before or after it. Not while
    /// connecting: a transport making a connection queues every publish, and a full queue drops an older event.
    /// </summary>
    private static bool WasDisconnected(BusConnectionState? before, BusConnectionState after)
        => after is BusConnectionState.Disconnected || before is BusConnectionState.Disconnected;

    private static MutationSyslogFailure SyslogFailure(string? kind) => kind switch
    {
        null => MutationSyslogFailure.None,
        AppendOnlyFileWriter.DirectoryFailure => MutationSyslogFailure.Directory,
        AppendOnlyFileWriter.OpenFailure => MutationSyslogFailure.Open,
        AppendOnlyFileWriter.RefusedFailure => MutationSyslogFailure.Refused,
        _ => MutationSyslogFailure.Write,
    };
}
