using System.Diagnostics.Metrics;
using Decnet.Bus;
using Decnet.Mutator.Events;
using Decnet.Mutator.Events.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="MutationEventEmitter"/>.</summary>
public static class MutationEventsServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="MutationEventEmitter"/> and validated <see cref="MutationEventOptions"/>, bound
    /// from the <c>DecnetMutationEvents</c> section, then <c>DECNET_INGEST_LOG_FILE</c>, then
    /// <paramref name="configure"/>; checked at host start, so an empty or relative log path fails naming the variable. The emitter uses the
    /// registered <see cref="IBus"/> (e.g. from <c>AddDecnetBus()</c>) or <see cref="NullBus.Instance"/>, and the
    /// registered <see cref="TimeProvider"/> or <see cref="TimeProvider.System"/>. Uses TryAdd, so callers can override.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional changes applied after the section and the variable, so values set in code win.</param>
    public static IServiceCollection AddDecnetMutationEvents(this IServiceCollection services, Action<MutationEventOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MutationEventOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MutationEventOptions>, MutationEventOptionsSetup>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MutationEventOptions>, MutationEventOptionsValidator>());
        services.TryAddSingleton(static provider => new MutationEventMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(static provider =>
        {
            var emitter = new MutationEventEmitter(
                provider.GetRequiredService<IOptions<MutationEventOptions>>().Value,
                provider.GetService<IBus>(),
                provider.GetService<TimeProvider>(),
                provider.GetService<ILogger<MutationEventEmitter>>());
            provider.GetRequiredService<MutationEventMetrics>().Observe(emitter);
            return emitter;
        });
        return services;
    }
}
