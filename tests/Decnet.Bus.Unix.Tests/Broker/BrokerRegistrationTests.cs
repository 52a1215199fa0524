using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class BrokerRegistrationTests
{
    [Fact]
    public async Task AddDecnetBusBroker_RegistersOneBusServerAsHostedService()
    {
        using var dir = new TempSocketDir();
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.None);
        services.AddDecnetBusBroker(o =>
        {
            o.SocketPath = dir.SocketPath;
            o.Group = string.Empty;
        });
        services.AddDecnetBusBroker();
        await using var provider = services.BuildServiceProvider();

        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        var server = provider.GetRequiredService<BusServer>();
        Assert.Same(server, hosted);

        await hosted.StartAsync(CancellationToken.None);
        await using (var bus = await UnixSocketBus.ConnectAsync(TestBroker.NewOptions(dir.SocketPath)))
        {
            Assert.True(bus.IsConnected);
        }

        await hosted.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(dir.SocketPath));
    }

    [Fact]
    public async Task AddDecnetBusBroker_Alone_BindsTheVariables()
    {
        using var dir = new TempSocketDir();
        await using var provider = BrokerOnly(new()
        {
            [DecnetBusVariables.Socket] = dir.SocketPath,
            [DecnetBusVariables.Group] = string.Empty,
            [DecnetBusVariables.AllowUids] = "4242",
            [DecnetBusVariables.QueueSize] = "77",
        });

        // Valid variables pass the start check without any transport registered: a broker host may have no IBus.
        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<DecnetBusOptions>>().Value;
        Assert.Equal([4242], options.AllowUids);
        Assert.Equal(77, options.QueueSize);
        Assert.Equal(dir.SocketPath, options.SocketPath);
    }

    [Fact]
    public async Task AddDecnetBusBroker_Alone_RefusesABadVariableAtStart()
    {
        using var dir = new TempSocketDir();
        await using var provider = BrokerOnly(new()
        {
            [DecnetBusVariables.Socket] = dir.SocketPath,
            [DecnetBusVariables.QueueSize] = "abc",
        });

        var validator = provider.GetService<IStartupValidator>();
        Assert.NotNull(validator);
        var ex = Assert.Throws<OptionsValidationException>(validator.Validate);
        Assert.Contains("DECNET_BUS_QUEUE_SIZE='abc' is not an integer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddDecnetBusBroker_Alone_ReadsTheAclFileVariable()
    {
        using var dir = new TempSocketDir();
        await using var provider = BrokerOnly(new()
        {
            [DecnetBusVariables.Socket] = dir.SocketPath,
            [DecnetBusVariables.Group] = string.Empty,
            [DecnetBusVariables.AclFile] = Path.Combine(dir.Path, "missing.acl"),
        });

        var server = provider.GetRequiredService<BusServer>();
        var ex = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));
        Assert.Contains("DECNET_BUS_ACL_FILE", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithAddDecnetBus_InEitherOrder_OptionsAreSetUpAndValidatedOnce(bool brokerFirst)
    {
        var services = new ServiceCollection();
        if (brokerFirst)
        {
            services.AddDecnetBusBroker();
        }

        services.AddDecnetBus().AddUnixTransport();
        services.AddDecnetBusBroker();

        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<DecnetBusOptions>) && d.ImplementationType == typeof(DecnetBusOptionsSetup));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DecnetBusOptions>));
    }

    [Fact]
    public async Task WithAddDecnetBus_TheClientTransportIsStillChecked()
    {
        // AddDecnetBus's IBus needs its transport registered, whether or not the host also runs a broker.
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Socket] = "/tmp/dn-unused.sock" }));
        services.AddDecnetBusBroker();
        services.AddDecnetBus();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);
        Assert.Contains("AddUnixTransport()", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BrokerOnly(Dictionary<string, string?> variables)
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(variables));
        services.AddDecnetBusBroker();
        return services.BuildServiceProvider();
    }
}
