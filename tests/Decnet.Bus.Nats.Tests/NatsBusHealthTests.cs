using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// <c>AddHealthChecks().AddDecnetBus()</c> on a NatsBus: it reports its connection (docs/dotnet-hosts.md, "Health
/// checks"); the outage with a real server is in <see cref="NatsBusOutageTests"/>.
/// </summary>
public sealed class NatsBusHealthTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServerUnreachable_IsUnhealthyOnceUnhealthyAfterHasPassed_IdleBeforeFirstUse()
    {
        var options = new DecnetBusOptions { Type = DecnetBusOptions.NatsTransport };
        options.Nats.Url = "nats://127.0.0.1:1"; // nothing listens on port 1
        await using var bus = new NatsBus(options);
        await using var services = Services(bus, TimeSpan.Zero);

        var idle = await CheckAsync(services);
        await bus.PublishAsync("health.probe", new { n = 1 });
        await bus.FirstAttempt.WaitAsync(_bound);
        var down = await CheckAsync(services);

        Assert.Equal(HealthStatus.Healthy, idle.Status);
        Assert.Equal("Idle", idle.Data["state"]);
        Assert.False(bus.IsConnected);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Equal("Disconnected", down.Data["state"]);
        Assert.StartsWith("broker unreachable for 0 s", down.Description, StringComparison.Ordinal);
    }

    internal static ServiceProvider Services(NatsBus bus, TimeSpan unhealthyAfter) => new ServiceCollection()
        .AddLogging()
        .AddSingleton<IBus>(bus)
        .AddSingleton<TimeProvider>(new FakeTimeProvider())
        .AddHealthChecks().AddDecnetBus(configure: o => o.UnhealthyAfter = unhealthyAfter).Services
        .BuildServiceProvider();

    internal static async Task<HealthReportEntry> CheckAsync(ServiceProvider services)
        => (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];
}
