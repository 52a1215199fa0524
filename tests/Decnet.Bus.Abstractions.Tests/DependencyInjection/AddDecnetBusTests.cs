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
        Assert.Contains("DECNET_BUS_TYPE='kafka' is not a known transport; use one of: fake, nats, test, unix", ex.Message, StringComparison.Ordinal);
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

    [Fact]
    public async Task UnixWithoutPackage_ThrowsNamingThePackage()
    {
        // This test project does not reference Decnet.Bus.Unix, exactly like a host that forgot the package.
        using var host = BusHostFactory.Build(new Dictionary<string, string?> { [DecnetBusVariables.Type] = "unix" });
        await host.StartAsync();
        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IBus>());
        Assert.Contains("DECNET_BUS_TYPE='unix' needs the Decnet.Bus.Unix package", ex.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void Resolver_DiscoversProviderThroughAssemblyAttribute_WithDependencies()
    {
        var time = new FakeTimeProvider();
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        var resolver = new BusTransportResolver([], new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["attr"] = typeof(AddDecnetBusTests).Assembly.GetName().Name!,
        });

        var provider = Assert.IsType<AttributeTransportProvider>(resolver.Resolve(services, "attr"));
        Assert.Same(time, provider.Time);
    }

    [Fact]
    public void Resolver_KnownAssemblyWithoutMatchingAttribute_Throws()
    {
        using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        var resolver = new BusTransportResolver([], new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["other"] = typeof(AddDecnetBusTests).Assembly.GetName().Name!,
        });

        var ex = Assert.Throws<InvalidOperationException>(() => resolver.Resolve(services, "other"));
        Assert.Contains("declares no [assembly: DecnetBusTransport(...)] provider named 'other'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolver_UnknownName_ThrowsNamingTheVariable()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => new BusTransportResolver([]).Resolve(services, "nats"));
        Assert.Contains("DECNET_BUS_TYPE='nats'", ex.Message, StringComparison.Ordinal);
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
