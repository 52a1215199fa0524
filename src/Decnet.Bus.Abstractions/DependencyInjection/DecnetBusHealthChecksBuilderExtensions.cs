using Decnet.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the bus health check: <c>services.AddHealthChecks().AddDecnetBus()</c>.</summary>
public static class DecnetBusHealthChecksBuilderExtensions
{
    /// <summary>The default registration name.</summary>
    public const string DefaultName = "decnet-bus";

    /// <summary>
    /// Registers a check of the container's <see cref="IBus"/>: Healthy when connected, Degraded while reconnecting or
    /// when drops rose since the previous check, <paramref name="failureStatus"/> (Unhealthy by default) once the broker
    /// has been unreachable longer than <see cref="DecnetBusHealthCheckOptions.UnhealthyAfter"/>; each result says why.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The registration name.</param>
    /// <param name="configure">Changes the thresholds.</param>
    /// <param name="failureStatus">The status reported when the broker stays unreachable; null means Unhealthy.</param>
    /// <param name="tags">Tags for filtering (e.g. <c>ready</c>).</param>
    public static IHealthChecksBuilder AddDecnetBus(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        Action<DecnetBusHealthCheckOptions>? configure = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DecnetBusHealthCheckOptions();
        configure?.Invoke(options);
        if (options.UnhealthyAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.UnhealthyAfter, "UnhealthyAfter must not be negative.");
        }

        // The framework builds a check per run, in a scope; the check keeps the previous drop count, so it is a singleton
        // of each container built from these services (keyed by this registration), never shared between containers.
        var key = new object();
        builder.Services.AddKeyedSingleton(key, (sp, _) => new DecnetBusHealthCheck(sp.GetRequiredService<IBus>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, options));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => sp.GetRequiredKeyedService<DecnetBusHealthCheck>(key),
            failureStatus,
            tags));
    }
}
