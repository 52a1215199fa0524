using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Decnet.Bus;

/// <summary>
/// Reports the bus: Healthy when connected with no new drops; Degraded while (re)connecting or when the drop counter
/// (<see cref="BusCounters.Dropped"/>: full queues, outages, refused publishes, malformed events) rose since the
/// previous check; Unhealthy once the broker has been unreachable for
/// <see cref="DecnetBusHealthCheckOptions.UnhealthyAfter"/>. One instance per registration and container keeps the
/// highest drop count seen and the time the outage was first seen, so the figures are "since the last check"; the
/// first check counts from 0, so it reports the drops since the bus started. Every check reports the drops since the
/// previous one, whatever the state (an outage's too), so each drop is reported by exactly one check.
/// </summary>
internal sealed class DecnetBusHealthCheck(IBus bus, TimeProvider time, DecnetBusHealthCheckOptions options) : IHealthCheck
{
    // What BusCounters.Dropped counts, not only a slow subscriber: a full subscription queue or send buffer,
    // publishes made while the broker was unreachable (an outage between two checks), publishes the broker or server
    // refused, and (Unix transport) EVTs dropped as malformed.
    private const string _dropCauses = "lost to a full queue, an outage, a refused publish or a malformed event";

    private readonly Lock _gate = new();

    // Not the count when the check is created (at the first health run): drops between start-up and then would never
    // be reported. The bus's counters start at 0 with the bus.
    private long _lastDropped;
    private bool _checked;
    private DateTimeOffset? _unreachableSince;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var counters = bus.Counters;
        var state = bus is IBusConnectionStatus status ? status.State : BusConnectionState.Connected;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = state.ToString(),
            ["published"] = counters.Published,
            ["delivered"] = counters.Delivered,
            ["dropped"] = counters.Dropped,
        };
        if (ReferenceEquals(bus, NullBus.Instance))
        {
            return Task.FromResult(HealthCheckResult.Healthy("bus disabled (DECNET_BUS_ENABLED=false): publishes are dropped by design", data));
        }

        lock (_gate)
        {
            // Concurrent checks read the counters outside the lock, so an earlier read can arrive last: the baseline
            // only goes up (the counter never goes down), or the next check would report the same drops again.
            var newDrops = Math.Max(0, counters.Dropped - _lastDropped);
            _lastDropped = Math.Max(_lastDropped, counters.Dropped);
            var since = _checked ? "the last check" : "the bus started";
            _checked = true;
            var now = time.GetUtcNow();

            // Reported whatever the state: the baseline has just moved past these drops, so a check that left them out
            // (one during an outage did) would leave them unreported by every check.
            data["dropped_since_last_check"] = newDrops;
            if (state is BusConnectionState.Connecting or BusConnectionState.Disconnected)
            {
                _unreachableSince ??= now;
                var down = now - _unreachableSince.Value;
                data["unreachable_seconds"] = down.TotalSeconds;
                var drops = newDrops > 0 ? $"; {newDrops} events dropped since {since} ({counters.Dropped} in total)" : string.Empty;
                return Task.FromResult(down >= options.UnhealthyAfter
                    ? new HealthCheckResult(context.Registration.FailureStatus, $"broker unreachable for {Seconds(down)} s (unhealthy after {Seconds(options.UnhealthyAfter)} s){drops}", data: data)
                    : HealthCheckResult.Degraded($"{(state == BusConnectionState.Connecting ? "connecting" : "reconnecting")} to the broker for {Seconds(down)} s (unhealthy after {Seconds(options.UnhealthyAfter)} s){drops}", data: data));
            }

            _unreachableSince = null;
            if (newDrops > 0)
            {
                return Task.FromResult(HealthCheckResult.Degraded($"{newDrops} events dropped since {since} ({counters.Dropped} in total): {_dropCauses}", data: data));
            }

            return Task.FromResult(HealthCheckResult.Healthy(state == BusConnectionState.Idle ? "idle: connects on first publish or subscribe" : "connected", data));
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
