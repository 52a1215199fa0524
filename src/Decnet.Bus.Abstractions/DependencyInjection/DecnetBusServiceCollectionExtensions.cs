using System.Diagnostics.Metrics;
using Decnet.Bus;
using Decnet.Bus.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the DECNET bus: options, validation at start, and the <see cref="IBus"/> singleton.</summary>
public static class DecnetBusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBus"/> as a singleton chosen by <see cref="DecnetBusOptions"/>: <see cref="NullBus"/> when
    /// <c>DECNET_BUS_ENABLED=false</c>, otherwise the transport named by <c>DECNET_BUS_TYPE</c>. Options come from the
    /// <c>DecnetBus</c> configuration section and the <c>DECNET_BUS_*</c> variables (see <see cref="DecnetBusOptions"/>)
    /// and are validated when the host starts. Everything is added with <c>TryAdd*</c>: calling this twice is harmless
    /// and an earlier registration of <see cref="IBus"/> or <see cref="TimeProvider"/> wins.
    /// </summary>
    /// <remarks>
    /// Transports are registered, never loaded by name (which trimming would break): chain the call of the transport's
    /// package, e.g. <c>services.AddDecnetBus().AddUnixTransport()</c> (<c>Decnet.Bus.Unix</c>), <c>AddFakeTransport()</c>
    /// (<c>Decnet.Bus.Fake</c>) or <c>AddNatsTransport()</c> (<c>Decnet.Bus.Nats</c>), or register your own with
    /// <see cref="AddDecnetBusTransport{TProvider}"/>. When <c>DECNET_BUS_TYPE</c> names a transport that is not
    /// registered, host start fails with an <see cref="OptionsValidationException"/> naming the package and the call.
    /// </remarks>
    public static IServiceCollection AddDecnetBus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        DecnetBusOptionsRegistration.Add(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BusTransportResolver(sp.GetServices<IBusTransportProvider>()));
        services.TryAddSingleton(static sp => new BusMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(CreateBus);
        services.TryAddSingleton(new BusRegistration(services, CreateBus));
        return services;
    }

    /// <summary>
    /// Like <see cref="AddDecnetBus(IServiceCollection)"/>, then applies <paramref name="configure"/> after the
    /// configuration section and the environment variables, so values set in code win.
    /// </summary>
    public static IServiceCollection AddDecnetBus(this IServiceCollection services, Action<DecnetBusOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddDecnetBus();
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Registers a transport provider so <c>DECNET_BUS_TYPE</c> can select it by <see cref="IBusTransportProvider.Name"/>
    /// (and the options validator accepts the name). Registering the same provider twice is harmless. The transport
    /// packages' <c>Add…Transport()</c> calls use this.
    /// </summary>
    public static IServiceCollection AddDecnetBusTransport<TProvider>(this IServiceCollection services)
        where TProvider : class, IBusTransportProvider
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBusTransportProvider, TProvider>());
        return services;
    }

    private static IBus CreateBus(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DecnetBusOptions>>().Value;
        var bus = options.Enabled
            ? services.GetRequiredService<BusTransportResolver>().Create(services, options)
            : NullBus.Instance;
        services.GetRequiredService<BusMetrics>().Observe(options.Enabled ? options.Type.ToLowerInvariant() : "null", bus);
        return bus;
    }
}
