using Decnet.Bus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the worker helpers: heartbeat and control listener. Both call <c>AddDecnetBus()</c> (harmless if already called).</summary>
public static class DecnetWorkerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="BusHeartbeatService"/> publishing <c>system.{worker}.health</c>. One call per worker name; a
    /// host running several workers may call it for each.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="worker">The worker name; one topic token.</param>
    /// <param name="interval">
    /// The period, 1 ms to 1 day; null uses <c>DECNET_BUS_HEARTBEAT_S</c> (<see cref="DecnetBusOptions.HeartbeatInterval"/>,
    /// checked at host start), zero disables.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="worker"/> is not a valid topic segment.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is neither zero nor 1 ms to 1 day.</exception>
    public static IServiceCollection AddDecnetWorkerHeartbeat(this IServiceCollection services, string worker, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        Topics.Segment(worker);
        if (interval is { } explicitInterval && !DecnetBusOptionsValidator.IsHeartbeatInRange(explicitInterval))
        {
            // Refused here: a PeriodicTimer would throw in the running service and stop the host.
            throw new ArgumentOutOfRangeException(nameof(interval), explicitInterval, $"The heartbeat interval must be {DecnetBusOptionsValidator.HeartbeatRange}.");
        }

        services.AddDecnetBus();
        services.AddSingleton<IHostedService>(sp => new BusHeartbeatService(
            sp.GetRequiredService<IBus>(),
            worker,
            interval ?? sp.GetRequiredService<IOptions<DecnetBusOptions>>().Value.HeartbeatInterval,
            sp.GetRequiredService<TimeProvider>(),
            Logger<BusHeartbeatService>(sp)));
        return services;
    }

    /// <summary>
    /// Adds a <see cref="BusControlListener"/> on <c>system.{worker}.control</c> that passes each valid stop/start
    /// request to <paramref name="handler"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="worker"/> is not a valid topic segment.</exception>
    public static IServiceCollection AddDecnetWorkerControl(this IServiceCollection services, string worker, Func<WorkerControlRequest, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(handler);
        Topics.Segment(worker);
        services.AddDecnetBus();
        services.AddSingleton<IHostedService>(sp => new BusControlListener(sp.GetRequiredService<IBus>(), worker, handler, Logger<BusControlListener>(sp)));
        return services;
    }

    private static ILogger<T> Logger<T>(IServiceProvider services)
        => services.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;
}
