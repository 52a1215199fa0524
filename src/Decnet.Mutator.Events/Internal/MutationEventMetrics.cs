using System.Diagnostics.Metrics;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// The <c>Decnet.Mutator.Events</c> meter of one container: created from the registered <see cref="IMeterFactory"/> (a
/// meter of its own when none is registered), with observable counters over the emitter's own counts, so an emit costs
/// no meter call (docs/mutation-events.md, "Metrics"). <c>AddDecnetMutationEvents()</c> observes the emitter it builds.
/// </summary>
internal sealed class MutationEventMetrics : IDisposable
{
    public const string MeterName = "Decnet.Mutator.Events";

    private readonly bool _ownsMeter;
    private readonly Lock _gate = new();
    private readonly List<MutationEventEmitter> _emitters = [];

    public MutationEventMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        Meter = factory?.Create(new MeterOptions(MeterName) { Version = "1.0" }) ?? new Meter(MeterName, "1.0");
        Meter.CreateObservableCounter("decnet.mutation.emitted", () => Measure(static e => [new(e.EmittedCount)]), "{event}", "Mutation events emitted (validated).");
        Meter.CreateObservableCounter(
            "decnet.mutation.syslog.failures",
            () => Measure(static e => ByKind<MutationSyslogFailure>(e.SyslogFailuresOf)),
            "{event}",
            "Lines not written to the ingest log, tagged by kind.");
        Meter.CreateObservableCounter(
            "decnet.mutation.bus.failures",
            () => Measure(static e => ByKind<MutationBusFailure>(e.BusFailuresOf)),
            "{event}",
            "Events not published on the bus, tagged by kind.");
    }

    public Meter Meter { get; }

    public void Observe(MutationEventEmitter emitter)
    {
        lock (_gate)
        {
            _emitters.Add(emitter);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private List<Measurement<long>> Measure(Func<MutationEventEmitter, IEnumerable<Measurement<long>>> read)
    {
        lock (_gate)
        {
            return [.. _emitters.SelectMany(read)];
        }
    }

    /// <summary>One measurement per failure kind seen (not <c>None</c>), tagged with its lower-case name.</summary>
    private static IEnumerable<Measurement<long>> ByKind<TKind>(Func<TKind, long> count)
        where TKind : struct, Enum
    {
        foreach (var kind in Enum.GetValues<TKind>().Skip(1))
        {
            if (count(kind) is > 0 and var value)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>("kind", kind.ToString().ToLowerInvariant()));
            }
        }
    }
}
