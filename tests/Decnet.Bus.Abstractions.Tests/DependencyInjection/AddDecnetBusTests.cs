using Decnet.Bus.Abstractions.Tests.Options;
using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.DependencyInjection;

public sealed class AddDecnetBusTests
{
    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    public async Task Disabled_ResolvesNullBus(string enabled)
    {
        using var host = BusHostFactory.Build(new Dictionary<string, string?> { [DecnetBusVariables.Enabled] = enabled });
        await host.StartAsync();
        Assert.Same(NullBus.Instance, host.Services.GetRequiredService<IBus>());
        await host.StopAsync();
    }

    [Fact]
    public async Task RegisteredProvider_IsSelectedByName_CaseInsensitively()
    {
        using var host = BusHostFactory.Build(
            new Dictionary<string, string?> { [DecnetBusVariables.Type] = "TEST", [DecnetBusVariables.QueueSize] = "7" },
            services => services.AddDecnetBusTransport<TestTransportProvider>());
        await host.StartAsync();

        var bus = Assert.IsType<RecordingBus>(host.Services.GetRequiredService<IBus>());
        Assert.Equal(7, bus.Options!.QueueSize);
        await host.StopAsync();
    }

    [Fact]
    public async Task UnknownType_FailsStart_ListingRegisteredProviders()
    {
        using var host = BusHostFactory.Build(
            new Dictionary<string, string?> { [DecnetBusVariables.Type] = "kafka" },
            services => services.AddDecnetBusTransport<TestTransportProvider>());
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("DECNET_BUS_TYPE='kafka' is not a known transport; use one of: test, unix", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DecnetBusVariables.QueueSize, "0", "DECNET_BUS_QUEUE_SIZE='0' is out of range")]
    [InlineData("DecnetBus:HeartbeatSeconds", "5", "'HeartbeatSeconds'")]
    public async Task BadSetting_FailsHostStart_WithNothingResolved(string key, string value, string expected)
    {
        // Only StartAsync runs: without ValidateOnStart the host would start and fail later, at the first publish.
        using var host = BusHostFactory.Build(new Dictionary<string, string?> { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnBusRegistered_NeedsNoTransport()
    {
        // AddDecnetWorkerHeartbeat calls AddDecnetBus; a host that brings its own IBus must still start.
        using var host = BusHostFactory.Build(new Dictionary<string, string?>(), s => s.AddSingleton<IBus>(new RecordingBus()), unixStandIn: false);

        await host.StartAsync();

        Assert.IsType<RecordingBus>(host.Services.GetRequiredService<IBus>());
        await host.StopAsync();
    }

    [Fact]
    public void AddDecnetBusTwice_RegistersOneBusAndBindsOnce()
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Enabled] = "false" }));
        services.AddDecnetBus();
        services.AddDecnetBus();
        services.AddDecnetBusTransport<TestTransportProvider>();
        services.AddDecnetBusTransport<TestTransportProvider>();

        Assert.Single(services, d => d.ServiceType == typeof(IBus));
        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<DecnetBusOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DecnetBusOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(IBusTransportProvider));
        using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<IBus>(), provider.GetRequiredService<IBus>());
        Assert.Same(NullBus.Instance, provider.GetRequiredService<IBus>());
    }

    [Fact]
    public void EarlierRegistrations_Win()
    {
        var services = new ServiceCollection();
        var time = new FakeTimeProvider();
        var bus = new RecordingBus();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IBus>(bus);
        services.AddDecnetBus();
        using var provider = services.BuildServiceProvider();
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Same(bus, provider.GetRequiredService<IBus>());
    }

    [Fact]
    public void TimeProvider_DefaultsToSystem()
    {
        using var provider = new ServiceCollection().AddDecnetBus().BuildServiceProvider();
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Theory]
    [InlineData("unix", "DECNET_BUS_TYPE='unix' needs the Decnet.Bus.Unix package, which is not registered: reference Decnet.Bus.Unix and call services.AddDecnetBus().AddUnixTransport()")]
    [InlineData("NATS", "DECNET_BUS_TYPE='NATS' needs the Decnet.Bus.Nats package, which is not registered: reference Decnet.Bus.Nats and call services.AddDecnetBus().AddNatsTransport()")]
    [InlineData("fake", "DECNET_BUS_TYPE='fake' needs the Decnet.Bus.Fake package, which is not registered: reference Decnet.Bus.Fake and call services.AddDecnetBus().AddFakeTransport()")]
    public async Task ShippedTransportNotRegistered_FailsStart_NamingThePackageAndTheCall(string type, string expected)
    {
        // The Fake package is referenced by this project, and its assembly loaded: only registration counts now.
        _ = typeof(Decnet.Bus.Fake.FakeBus).Assembly;
        using var host = BusHostFactory.Build(new Dictionary<string, string?> { [DecnetBusVariables.Type] = type }, unixStandIn: false);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledBus_NeedsNoTransport()
    {
        using var host = BusHostFactory.Build(new Dictionary<string, string?> { [DecnetBusVariables.Enabled] = "false" }, unixStandIn: false);

        await host.StartAsync();

        Assert.Same(NullBus.Instance, host.Services.GetRequiredService<IBus>());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddFakeTransport_MakesTypeFakeResolve()
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Type] = "fake" }));
        services.AddDecnetBus().AddFakeTransport();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<Decnet.Bus.Fake.FakeBus>(provider.GetRequiredService<IBus>());
    }

    [Fact]
    public void Resolver_UnregisteredName_ThrowsNamingThePackage()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var options = new DecnetBusOptions { Type = "nats" };

        var ex = Assert.Throws<InvalidOperationException>(() => new BusTransportResolver([]).Create(services, options));

        Assert.Contains("DECNET_BUS_TYPE='nats' needs the Decnet.Bus.Nats package", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_DisposesTheTransportBus()
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Type] = "test" }));
        services.AddDecnetBus().AddDecnetBusTransport<TestTransportProvider>();
        var provider = services.BuildServiceProvider();
        var bus = Assert.IsType<RecordingBus>(provider.GetRequiredService<IBus>());
        await provider.DisposeAsync();
        Assert.True(bus.Disposed);
    }
}
