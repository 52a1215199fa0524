using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Decnet.Bus;

/// <summary>
/// Reports the bus: Healthy when connected with no new drops; Degraded while (re)connecting or when the drop counter
/// rose since the previous check; Unhealthy once the broker has been unreachable for
/// <see cref="DecnetBusHealthCheckOptions.UnhealthyAfter"/>. One instance per registration and container keeps the
/// previous drop count and the time the outage was first seen, so the figures are "since the last check".
/// </summary>
internal sealed class DecnetBusHealthCheck(IBus bus, TimeProvider time, DecnetBusHealthCheckOptions options) : IHealthCheck
{
    private readonly Lock _gate = new();
    private long _lastDropped = bus.Counters.Dropped;
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
            var newDrops = counters.Dropped - _lastDropped;
            _lastDropped = counters.Dropped;
            var now = time.GetUtcNow();
            if (state is BusConnectionState.Connecting or BusConnectionState.Disconnected)
            {
                _unreachableSince ??= now;
                var down = now - _unreachableSince.Value;
                data["unreachable_seconds"] = down.TotalSeconds;
                return Task.FromResult(down >= options.UnhealthyAfter
                    ? new HealthCheckResult(context.Registration.FailureStatus, $"broker unreachable for {Seconds(down)} s (unhealthy after {Seconds(options.UnhealthyAfter)} s)", data: data)
                    : HealthCheckResult.Degraded($"{(state == BusConnectionState.Connecting ? "connecting" : "reconnecting")} to the broker for {Seconds(down)} s (unhealthy after {Seconds(options.UnhealthyAfter)} s)", data: data));
            }

            _unreachableSince = null;
            data["dropped_since_last_check"] = newDrops;
            if (newDrops > 0)
            {
                return Task.FromResult(HealthCheckResult.Degraded($"{newDrops} events dropped since the last check ({counters.Dropped} in total): a subscriber is too slow or a queue too small", data: data));
            }

            return Task.FromResult(HealthCheckResult.Healthy(state == BusConnectionState.Idle ? "idle: connects on first publish or subscribe" : "connected", data));
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
