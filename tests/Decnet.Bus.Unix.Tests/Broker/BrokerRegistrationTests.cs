using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class BrokerRegistrationTests
{
    [Fact]
    public async Task AddDecnetBusBroker_RegistersOneBusServerAsHostedService()
    {
        using var dir = new TempSocketDir();
        var services = new ServiceCollection();
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
}
