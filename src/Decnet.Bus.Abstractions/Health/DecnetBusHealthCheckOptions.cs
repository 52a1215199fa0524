namespace Decnet.Bus;

/// <summary>Thresholds of the bus health check (<c>AddHealthChecks().AddDecnetBus()</c>, docs/dotnet-hosts.md, "Health checks").</summary>
public sealed class DecnetBusHealthCheckOptions
{
    /// <summary>How long the broker may stay unreachable before the check reports Unhealthy rather than Degraded.</summary>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromSeconds(30);
}
