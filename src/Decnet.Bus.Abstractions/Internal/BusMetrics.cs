using System.Diagnostics.Metrics;

namespace Decnet.Bus.Internal;

/// <summary>
/// The <c>Decnet.Bus</c> meter of one container: created from the registered <see cref="IMeterFactory"/> (a meter of
/// its own when none is registered) and exposing observable counters over the counters each bus already keeps, so
/// publishing costs nothing extra (docs/dotnet-hosts.md, "Metrics"). <c>AddDecnetBus()</c> registers it and observes
/// the bus it builds; <c>AddDecnetBusBroker()</c> adds the broker's totals.
/// </summary>
internal sealed class BusMetrics : IDisposable
{
    public const string MeterName = "Decnet.Bus";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Lock _gate = new();
    private readonly List<Source> _sources = [];

    public BusMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(new MeterOptions(MeterName) { Version = "1.0" }) ?? new Meter(MeterName, "1.0");
        _meter.CreateObservableCounter("decnet.bus.published", () => Measure(static c => c.Published), "{event}", "Events accepted for publishing.");
        _meter.CreateObservableCounter("decnet.bus.delivered", () => Measure(static c => c.Delivered), "{event}", "Events placed into a subscription or connection queue.");
        _meter.CreateObservableCounter("decnet.bus.dropped", () => Measure(static c => c.Dropped), "{event}", "Events lost to a full queue or an unavailable transport, publishes refused, and malformed events received.");
        _meter.CreateObservableCounter("decnet.bus.brokers_refused", MeasureRefusals, "{connection}", "Connections a client dropped because the broker's uid was not one it trusts.");
    }

    /// <summary>The meter (tests check it came from their factory).</summary>
    public Meter Meter => _meter;

    /// <summary>
    /// Adds a source of counters, tagged <c>transport</c>; <paramref name="counters"/> returns null while it has none.
    /// </summary>
    public void Observe(string transport, Func<BusCounters?> counters, Func<long>? brokersRefused = null)
    {
        lock (_gate)
        {
            _sources.Add(new Source(new KeyValuePair<string, object?>("transport", transport), counters, brokersRefused));
        }
    }

    /// <summary>
    /// Observes a bus: its <see cref="IBus.Counters"/> and, for the Unix client, its refused brokers.
    /// </summary>
    public void Observe(string transport, IBus bus)
        => Observe(transport, () => bus.Counters, bus is IBrokerRefusalCount refusals ? () => refusals.BrokersRefused : null);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private List<Measurement<long>> Measure(Func<BusCounters, long> select)
    {
        lock (_gate)
        {
            var measurements = new List<Measurement<long>>(_sources.Count);
            foreach (var source in _sources)
            {
                if (source.Counters() is { } counters)
                {
                    measurements.Add(new Measurement<long>(select(counters), source.Tag));
                }
            }

            return measurements;
        }
    }

    private List<Measurement<long>> MeasureRefusals()
    {
        lock (_gate)
        {
            return [.. _sources.Where(static s => s.BrokersRefused is not null).Select(static s => new Measurement<long>(s.BrokersRefused!(), s.Tag))];
        }
    }

    private sealed record Source(KeyValuePair<string, object?> Tag, Func<BusCounters?> Counters, Func<long>? BrokersRefused);
}
