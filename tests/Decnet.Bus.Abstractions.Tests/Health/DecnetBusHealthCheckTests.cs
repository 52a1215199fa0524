using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Decnet.Bus.Fake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.Health;

/// <summary><c>AddHealthChecks().AddDecnetBus()</c> against FakeBus (docs/dotnet-hosts.md, "Health checks").</summary>
public sealed class DecnetBusHealthCheckTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeBus _fake = new();
    private readonly StatusBus _bus;
    private readonly ServiceProvider _services;

    public DecnetBusHealthCheckTests()
    {
        _bus = new StatusBus(_fake);
        _services = new ServiceCollection()
            .AddSingleton<IBus>(_bus)
            .AddSingleton<TimeProvider>(_time)
            .AddLogging()
            .AddHealthChecks().AddDecnetBus(configure: o => o.UnhealthyAfter = TimeSpan.FromSeconds(30)).Services
            .BuildServiceProvider();
    }

    [Fact]
    public async Task Connected_IsHealthy()
    {
        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("connected", entry.Description);
    }

    [Fact]
    public async Task DropsRising_IsDegraded_ThenHealthyWhenTheyStop()
    {
        await CheckAsync();
        await using var slow = await _fake.SubscribeAsync("a.b", new SubscriptionOptions { QueueSize = 1 });
        for (var i = 0; i < 4; i++)
        {
            await _fake.PublishAsync("a.b", new { i });
        }

        var rising = await CheckAsync();
        var steady = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, rising.Status);
        Assert.StartsWith("3 events dropped since the last check (3 in total)", rising.Description, StringComparison.Ordinal);
        Assert.Equal(3L, rising.Data["dropped"]);
        Assert.Equal(HealthStatus.Healthy, steady.Status);
    }

    [Fact]
    public async Task Reconnecting_IsDegraded_UntilTheThreshold_ThenUnhealthy()
    {
        _bus.State = BusConnectionState.Disconnected;

        var first = await CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(29));
        var before = await CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, first.Status);
        Assert.Equal("reconnecting to the broker for 0 s (unhealthy after 30 s)", first.Description);
        Assert.Equal(HealthStatus.Degraded, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Equal("broker unreachable for 30 s (unhealthy after 30 s)", after.Description);
    }

    [Fact]
    public async Task BackAfterAnOutage_IsHealthy_AndTheOutageClockRestarts()
    {
        _bus.State = BusConnectionState.Disconnected;
        await CheckAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync()).Status);

        _bus.State = BusConnectionState.Connected;
        var back = await CheckAsync();
        _bus.State = BusConnectionState.Disconnected;
        var again = await CheckAsync();

        Assert.Equal(HealthStatus.Healthy, back.Status);
        Assert.Equal(HealthStatus.Degraded, again.Status);
    }

    [Fact]
    public async Task Idle_IsHealthy_SayingItConnectsOnFirstUse()
    {
        _bus.State = BusConnectionState.Idle;

        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.StartsWith("idle", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledBus_IsHealthy_SayingSo()
    {
        await using var services = new ServiceCollection()
            .AddSingleton<IBus>(NullBus.Instance)
            .AddLogging()
            .AddHealthChecks().AddDecnetBus().Services
            .BuildServiceProvider();
        await NullBus.Instance.PublishAsync("a.b", new { });

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.StartsWith("bus disabled", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoProvidersBuiltFromOneCollection_EachChecksItsOwnBus()
    {
        // A test host or a rebuilt container: the check must not keep reading the first provider's (disposed) bus.
        var collection = new ServiceCollection()
            .AddSingleton<IBus>(_ => new FakeBus())
            .AddLogging()
            .AddHealthChecks().AddDecnetBus().Services;
        await using (var first = collection.BuildServiceProvider())
        {
            await first.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        }

        await using var second = collection.BuildServiceProvider();
        var bus = second.GetRequiredService<IBus>();
        await bus.PublishAsync("a.b", new { n = 1 });
        await bus.PublishAsync("a.b", new { n = 2 });

        var report = await second.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(2L, report.Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName].Data["published"]);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private async Task<HealthReportEntry> CheckAsync()
        => (await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];
}
