using System.Diagnostics.Metrics;

namespace Decnet.Mutator.Events.Internal;

/// <summary>System.Diagnostics.Metrics instruments of the emitter (meter <c>Decnet.Mutator.Events</c>).</summary>
internal static class MutationEventMetrics
{
    public const string MeterName = "Decnet.Mutator.Events";

    private static readonly Meter _meter = new(MeterName);

    public static Counter<long> Emitted { get; } =
        _meter.CreateCounter<long>("decnet.mutation.emitted", "{event}", "Mutation events emitted (validated).");

    public static Counter<long> SyslogFailures { get; } =
        _meter.CreateCounter<long>("decnet.mutation.syslog.failures", "{event}", "Lines not written to the ingest log, tagged by kind.");

    public static Counter<long> BusFailures { get; } =
        _meter.CreateCounter<long>("decnet.mutation.bus.failures", "{event}", "Events not published on the bus, tagged by kind.");
}
