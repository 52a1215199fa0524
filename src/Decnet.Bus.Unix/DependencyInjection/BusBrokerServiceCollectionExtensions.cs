using System.Diagnostics.Metrics;
using Decnet.Bus;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the DECNET bus broker (<see cref="BusServer"/>) as a hosted service.</summary>
public static class BusBrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="BusServer"/> as a singleton and a hosted service, configured from <see cref="DecnetBusOptions"/>
    /// (bind them first with <c>AddDecnetBus()</c> or <c>Configure&lt;DecnetBusOptions&gt;</c>, or pass <paramref name="configure"/>).
    /// </summary>
    public static IServiceCollection AddDecnetBusBroker(this IServiceCollection services, Action<DecnetBusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DecnetBusOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(static sp => new BusMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(static sp =>
        {
            var server = ActivatorUtilities.CreateInstance<BusServer>(sp);
            sp.GetRequiredService<BusMetrics>().Observe("unix-broker", () => BrokerTotals(server));
            return server;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BusServer>(static sp => sp.GetRequiredService<BusServer>()));
        return services;
    }

    /// <summary>The broker's totals for the meter, or none before it has started.</summary>
    private static BusCounters? BrokerTotals(BusServer server)
    {
        try
        {
            var stats = server.GetStats();
            return new BusCounters(stats.Published, stats.Delivered, stats.Dropped);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
