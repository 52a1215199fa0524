using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.Workers;

public sealed class BusHeartbeatServiceTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task PublishesAtStart_ThenEveryInterval_OnTheInjectedClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        await using var bus = new RecordingBus();
        using var service = new BusHeartbeatService(bus, "mutator", TimeSpan.FromSeconds(5), time, new ListLogger<BusHeartbeatService>());

        await service.StartAsync(CancellationToken.None);
        var first = await bus.WaitForPublishCountAsync(1).WaitAsync(_bound);
        time.Advance(TimeSpan.FromSeconds(5));
        var second = await bus.WaitForPublishCountAsync(2).WaitAsync(_bound);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal("system.mutator.health", first.Topic);
        Assert.Equal("health", first.Type);
        var health = second.ReadPayload<WorkerHealth>();
        Assert.Equal("mutator", health.Worker);
        Assert.Equal(Environment.ProcessId, health.ProcessId);
        Assert.Equal(1_700_000_005, health.Timestamp);
        Assert.Equal(5, health.UptimeSeconds);
        Assert.Equal(new[] { "pid", "ts", "uptime_s", "worker" }, second.ReadPayloadAsDictionary().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, first.ReadPayload<WorkerHealth>().UptimeSeconds);
    }

    [Fact]
    public async Task NoTick_NoSecondPublish()
    {
        var time = new FakeTimeProvider();
        await using var bus = new RecordingBus();
        using var service = new BusHeartbeatService(bus, "w", TimeSpan.FromSeconds(5), time, new ListLogger<BusHeartbeatService>());
        await service.StartAsync(CancellationToken.None);
        await bus.WaitForPublishCountAsync(1).WaitAsync(_bound);
        time.Advance(TimeSpan.FromSeconds(4));
        await service.StopAsync(CancellationToken.None);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task ZeroInterval_Disables()
    {
        await using var bus = new RecordingBus();
        using var service = new BusHeartbeatService(bus, "w", TimeSpan.Zero, new FakeTimeProvider(), new ListLogger<BusHeartbeatService>());
        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(_bound);
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task PublishFailures_DoNotStopTheHeartbeat()
    {
        var time = new FakeTimeProvider();
        var failing = 1;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bus = new RecordingBus
        {
            FailWith = _ =>
            {
                if (Volatile.Read(ref failing) == 0)
                {
                    return null;
                }

                failed.TrySetResult();
                return new IOException("no broker");
            },
        };
        var logger = new ListLogger<BusHeartbeatService>();
        using var service = new BusHeartbeatService(bus, "w", TimeSpan.FromSeconds(1), time, logger);
        await service.StartAsync(CancellationToken.None);

        // The first beat fails and is logged; once the bus recovers the next tick goes out.
        await failed.Task.WaitAsync(_bound);
        Volatile.Write(ref failing, 0);
        time.Advance(TimeSpan.FromSeconds(1));
        await bus.WaitForPublishCountAsync(1).WaitAsync(_bound);
        await service.StopAsync(CancellationToken.None);
        Assert.False(service.ExecuteTask!.IsFaulted);
        Assert.Equal(1, logger.Count(Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Fact]
    public async Task AddDecnetWorkerHeartbeat_RunsInAHost()
    {
        var time = new FakeTimeProvider();
        await using var bus = new RecordingBus();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IBus>(bus).AddSingleton<TimeProvider>(time).AddSingleton(DecnetBusEnvironment.None);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DecnetBusVariables.HeartbeatSeconds] = "2" });
        builder.Services.AddDecnetWorkerHeartbeat("profiler");
        using var host = builder.Build();

        await host.StartAsync();
        await bus.WaitForPublishCountAsync(1).WaitAsync(_bound);
        time.Advance(TimeSpan.FromSeconds(2));
        var second = await bus.WaitForPublishCountAsync(2).WaitAsync(_bound);
        await host.StopAsync();

        Assert.Equal("system.profiler.health", second.Topic);
        Assert.Equal(2, second.ReadPayload<WorkerHealth>().UptimeSeconds);
    }

    [Fact]
    public async Task AddDecnetWorkerHeartbeat_VariableUnderAMillisecond_FailsHostStartNamingTheVariable()
    {
        // A PeriodicTimer takes no period under 1 ms: accepted, it threw in the running service and stopped the host.
        await using var bus = new RecordingBus();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IBus>(bus).AddSingleton<TimeProvider>(new FakeTimeProvider()).AddSingleton(DecnetBusEnvironment.None);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DecnetBusVariables.HeartbeatSeconds] = "0.0005" });
        builder.Services.AddDecnetWorkerHeartbeat("profiler");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("DECNET_BUS_HEARTBEAT_S='0.0005' is out of range; use 0 (disables) or 0.001 to 86400 seconds", error.Message, StringComparison.Ordinal);
        Assert.Empty(bus.Published);
    }

    [Theory]
    [InlineData(5_000L)] // 0.5 ms
    [InlineData(-10_000_000L)]
    [InlineData(864_000_000_001L)] // a day and a tick
    public void AddDecnetWorkerHeartbeat_ExplicitIntervalNeitherZeroNorOneMillisecondToADay_ThrowsAtRegistration(long ticks)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddDecnetWorkerHeartbeat("mutator", TimeSpan.FromTicks(ticks)));

        Assert.Equal("interval", ex.ParamName);
        Assert.Contains("0 (disables) or 0.001 to 86400 seconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_PositiveIntervalUnderAMillisecond_Throws()
    {
        await using var bus = new RecordingBus();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BusHeartbeatService(bus, "mutator", TimeSpan.FromTicks(5_000), new FakeTimeProvider(), new ListLogger<BusHeartbeatService>()));

        Assert.Equal("interval", ex.ParamName);
    }

    [Theory]
    [InlineData("a.b", "'.'")]
    [InlineData("a b", "whitespace")]
    [InlineData(">", "wildcard")]
    [InlineData("", "empty")]
    public void InvalidWorkerName_IsRejectedAtRegistration(string worker, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDecnetWorkerHeartbeat(worker));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
