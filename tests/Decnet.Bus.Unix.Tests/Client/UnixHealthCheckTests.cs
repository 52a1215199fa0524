using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// <c>AddHealthChecks().AddDecnetBus()</c> over a real <see cref="UnixSocketBus"/> and broker: idle, connected, the
/// broker gone (Degraded, then Unhealthy past the threshold on a <see cref="FakeTimeProvider"/>), and back.
/// </summary>
public sealed class UnixHealthCheckTests
{
    [Fact]
    public async Task HealthFollowsTheConnection_ThroughAnOutage()
    {
        var time = new FakeTimeProvider();
        await using var broker = await TestBroker.StartAsync();
        var client = broker.CreateClient("health");
        await using var services = new ServiceCollection()
            .AddSingleton<IBus>(client)
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddHealthChecks().AddDecnetBus(configure: o => o.UnhealthyAfter = TimeSpan.FromSeconds(10)).Services
            .BuildServiceProvider();
        var health = services.GetRequiredService<HealthCheckService>();

        var idle = await CheckAsync(health);
        await using var subscription = await client.SubscribeAsync("a.>"); // live on return: the client is connected
        var connected = await CheckAsync(health);

        await broker.Server.StopAsync(CancellationToken.None);
        await UntilAsync(client, BusConnectionState.Disconnected);
        var reconnecting = await CheckAsync(health);
        time.Advance(TimeSpan.FromSeconds(10));
        var unreachable = await CheckAsync(health);

        await broker.RestartAsync();
        await UntilAsync(client, BusConnectionState.Connected);
        var back = await CheckAsync(health);

        Assert.Equal((HealthStatus.Healthy, "idle: connects on first publish or subscribe"), (idle.Status, idle.Description));
        Assert.Equal((HealthStatus.Healthy, "connected"), (connected.Status, connected.Description));
        Assert.Equal((HealthStatus.Degraded, "reconnecting to the broker for 0 s (unhealthy after 10 s)"), (reconnecting.Status, reconnecting.Description));
        Assert.Equal((HealthStatus.Unhealthy, "broker unreachable for 10 s (unhealthy after 10 s)"), (unreachable.Status, unreachable.Description));
        Assert.Equal(HealthStatus.Healthy, back.Status);
    }

    private static BusConnectionState State(UnixSocketBus bus) => ((IBusConnectionStatus)bus).State;

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health)
        => (await health.CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];

    /// <summary>Waits, bounded, for the client's own view of the socket (closed by the broker, or reconnected).</summary>
    /// <summary>
    /// Completes once the client's state is <paramref name="wanted"/>: checked now and at every connection change the
    /// client signals (<see cref="UnixSocketBus.ConnectionChanged"/>, set after the state).
    /// </summary>
    private static async Task UntilAsync(UnixSocketBus client, BusConnectionState wanted)
    {
        using var bound = new CancellationTokenSource(TestBroker.Bound);
        while (true)
        {
            var changed = client.ConnectionChanged;
            if (State(client) == wanted)
            {
                return;
            }

            await changed.WaitAsync(bound.Token);
        }
    }
}
