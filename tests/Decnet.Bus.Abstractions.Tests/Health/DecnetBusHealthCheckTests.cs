using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Decnet.Bus.Fake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.Health;

/// <summary><c>AddHealthChecks().AddDecnetBus()</c> against FakeBus (docs/dotnet-hosts.md, "Health checks").</summary>
public sealed class DecnetBusHealthCheckTests : IAsyncDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
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
        await using var slow = await FloodASlowSubscriberAsync(4);

        var rising = await CheckAsync();
        var steady = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, rising.Status);
        Assert.StartsWith("3 events dropped since the last check (3 in total)", rising.Description, StringComparison.Ordinal);
        Assert.Equal(3L, rising.Data["dropped"]);
        Assert.Equal(HealthStatus.Healthy, steady.Status);
    }

    [Fact]
    public async Task DropsRising_NameEverythingTheCounterCounts_NotOnlyASlowSubscriber()
    {
        // The counter also counts publishes the broker refused, publishes made during an outage, a full send buffer
        // and (Unix) malformed EVTs (BusCounters.Dropped): a message blaming a slow subscriber sent operators looking
        // at subscribers for a refused publish.
        var bus = new StubStatsBus { Dropped = 2 };
        await using var services = new ServiceCollection().AddSingleton<IBus>(bus).AddLogging().AddHealthChecks().AddDecnetBus().Services.BuildServiceProvider();

        var entry = (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(
            "2 events dropped since the bus started (2 in total): lost to a full queue, an outage, a refused publish or a malformed event",
            entry.Description);
    }

    [Fact]
    public async Task DropsBeforeTheFirstCheck_AreReportedByIt()
    {
        // Review 6: the baseline was the count at the first check, so drops between start-up and it went unreported.
        await using var slow = await FloodASlowSubscriberAsync(3);

        var first = await CheckAsync();
        var second = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, first.Status);
        Assert.StartsWith("2 events dropped since the bus started (2 in total)", first.Description, StringComparison.Ordinal);
        Assert.Equal(2L, first.Data["dropped_since_last_check"]);
        Assert.Equal(HealthStatus.Healthy, second.Status);
    }

    [Fact]
    public async Task TwoConcurrentChecks_DoNotReportTheSameDropsTwice()
    {
        // Review 6: a check that read the counters before another one but finished after it moved the baseline back,
        // so the next check reported the same drops again as new.
        var bus = new StubStatsBus { Dropped = 10 };
        await using var services = new ServiceCollection().AddSingleton<IBus>(bus).AddLogging().AddHealthChecks().AddDecnetBus().Services.BuildServiceProvider();
        var registration = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single();
        var check = registration.Factory(services);
        var context = new HealthCheckContext { Registration = registration };
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        bus.Entered = entered;
        bus.Gate = gate;

        var early = Task.Run(() => check.CheckHealthAsync(context));
        Assert.True(entered.Wait(_bound), "the first check did not read the counters");
        bus.Dropped = 12;
        var late = await check.CheckHealthAsync(context);
        gate.Set();
        var earlyResult = await early.WaitAsync(_bound);
        var next = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Degraded, late.Status);
        Assert.Equal(0L, earlyResult.Data["dropped_since_last_check"]);
        Assert.True(next.Status == HealthStatus.Healthy, $"nothing dropped since the last check, yet: {next.Status} '{next.Description}'");
    }

    [Fact]
    public async Task DropsCountedDuringAnOutage_AreReportedOnce_ByTheChecksThatSeeThem()
    {
        // Review 20 left: a check during an outage moved the baseline past the drops counted then without reporting
        // them, so no check ever did. Every drop must be in exactly one check's dropped_since_last_check.
        var bus = new StubStatsBus();
        var time = new FakeTimeProvider();
        await using var services = new ServiceCollection()
            .AddSingleton<IBus>(bus)
            .AddSingleton<TimeProvider>(time)
            .AddLogging()
            .AddHealthChecks().AddDecnetBus(configure: o => o.UnhealthyAfter = TimeSpan.FromSeconds(30)).Services
            .BuildServiceProvider();
        var health = services.GetRequiredService<HealthCheckService>();
        var checks = new List<HealthReportEntry>();
        async Task CheckAsync() => checks.Add((await health.CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName]);

        await CheckAsync();
        bus.State = BusConnectionState.Disconnected;
        bus.Dropped = 5;
        await CheckAsync();
        time.Advance(TimeSpan.FromSeconds(31));
        bus.Dropped = 7;
        await CheckAsync();
        bus.State = BusConnectionState.Connected;
        await CheckAsync();
        bus.Dropped = 8;
        await CheckAsync();

        var reported = checks.Select(c => c.Data.TryGetValue("dropped_since_last_check", out var n) ? (long)n : 0L).ToList();
        Assert.True(reported.SequenceEqual([0L, 5L, 2L, 0L, 1L]), $"reported {string.Join(", ", reported)} of 8 drops");
        Assert.Equal(
            [HealthStatus.Healthy, HealthStatus.Degraded, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Degraded],
            checks.Select(c => c.Status));
        Assert.Equal("reconnecting to the broker for 0 s (unhealthy after 30 s); 5 events dropped since the last check (5 in total)", checks[1].Description);
        Assert.Equal("broker unreachable for 31 s (unhealthy after 30 s); 2 events dropped since the last check (7 in total)", checks[2].Description);
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

    /// <summary>
    /// Publishes <paramref name="count"/> events to a subscription that holds one: count − 1 are dropped.
    /// </summary>
    private async Task<IBusSubscription> FloodASlowSubscriberAsync(int count)
    {
        var slow = await _fake.SubscribeAsync("a.b", new SubscriptionOptions { QueueSize = 1 });
        for (var i = 0; i < count; i++)
        {
            await _fake.PublishAsync("a.b", new { i });
        }

        return slow;
    }

    private async Task<HealthReportEntry> CheckAsync()
        => (await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[DecnetBusHealthChecksBuilderExtensions.DefaultName];

    /// <summary>
    /// A statistics source whose connection state and drop count the test sets, and whose next counters read can be
    /// held.
    /// </summary>
    private sealed class StubStatsBus : IBus, IBusConnectionStatus
    {
        private long _dropped;
        private ManualResetEventSlim? _gate;

        public BusConnectionState State { get; set; } = BusConnectionState.Connected;

        public long Dropped
        {
            get => Interlocked.Read(ref _dropped);
            set => Interlocked.Exchange(ref _dropped, value);
        }

        /// <summary>When set, the next counters read snapshots, sets <see cref="Entered"/> and waits here.</summary>
        public ManualResetEventSlim? Gate
        {
            get => Volatile.Read(ref _gate);
            set => Volatile.Write(ref _gate, value);
        }

        public ManualResetEventSlim? Entered { get; set; }

        public BusCounters Counters
        {
            get
            {
                var snapshot = new BusCounters(0, 0, Dropped);
                if (Interlocked.Exchange(ref _gate, null) is { } gate)
                {
                    Entered!.Set();
                    gate.Wait(_bound);
                }

                return snapshot;
            }
        }

        public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
            => ValueTask.CompletedTask;

        public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
