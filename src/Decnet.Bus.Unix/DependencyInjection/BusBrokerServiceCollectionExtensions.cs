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
    /// bound as <c>AddDecnetBus()</c> binds them (the <c>DecnetBus</c> section, then the <c>DECNET_BUS_*</c> variables,
    /// then <paramref name="configure"/>) and validated when the host starts: a bad value fails start with an
    /// <c>OptionsValidationException</c> naming the variable. No client transport is needed unless the host also
    /// calls <c>AddDecnetBus()</c>; calling both, in either order, binds and validates once.
    /// </summary>
    public static IServiceCollection AddDecnetBusBroker(this IServiceCollection services, Action<DecnetBusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = DecnetBusOptionsRegistration.Add(services);
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
