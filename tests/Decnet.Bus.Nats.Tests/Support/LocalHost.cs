using Decnet.Bus.Unix;
using Decnet.Cli.Bridge;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// One "host" of a cross-host test: an in-process broker on its own socket and a bridge between it and NATS
/// (both clients as <c>decnet bridge</c> makes them: echo off). Clients it creates are disposed with it.
/// </summary>
internal sealed class LocalHost : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dnh").FullName;
    private readonly List<IAsyncDisposable> _owned = [];

    private LocalHost(NatsServer nats, string name)
    {
        Nats = nats;
        Name = name;
        BrokerOptions = new DecnetBusOptions
        {
            SocketPath = Path.Combine(_directory, "bus.sock"),
            Group = string.Empty,
            HeartbeatInterval = TimeSpan.Zero,
            KeepaliveInterval = TimeSpan.Zero,
        };
        Broker = new BusServer(Options.Create(BrokerOptions));
    }

    public string Name { get; }

    public NatsServer Nats { get; }

    public DecnetBusOptions BrokerOptions { get; }

    public BusServer Broker { get; private set; }

    public BusBridge Bridge { get; private set; } = null!;

    public UnixSocketBus BridgeLocal { get; private set; } = null!;

    public NatsBus BridgeNats { get; private set; } = null!;

    public string SocketPath => BrokerOptions.SocketPath;

    public static async Task<LocalHost> StartAsync(NatsServer nats, string name, string prefix = "", string[]? export = null, string[]? import = null, bool bridge = true, int queueSize = 16_384)
    {
        var host = new LocalHost(nats, name);
        await host.Broker.StartAsync(CancellationToken.None);
        if (!bridge)
        {
            return host;
        }

        var options = host.ClientOptions($"bridge-{name}", echo: false);
        options.Nats.Url = nats.Url;
        host.BridgeLocal = new UnixSocketBus(options);
        host.BridgeNats = new NatsBus(options);
        host.Bridge = new BusBridge(host.BridgeLocal, host.BridgeNats, new BridgeOptions
        {
            Export = export ?? [">"],
            Import = import ?? [">"],
            Prefix = prefix,
            BridgeId = $"bridge-{name}",
            QueueSize = queueSize,
        });
        await host.Bridge.StartAsync(CancellationToken.None);
        return host;
    }

    /// <summary>A client of this host's broker, as any local service would use it.</summary>
    public UnixSocketBus Client(string name, int queueSize = SubscriptionOptions.DefaultQueueSize)
    {
        var options = ClientOptions(name, echo: true);
        options.QueueSize = queueSize;
        var bus = new UnixSocketBus(options);
        _owned.Add(bus);
        return bus;
    }

    /// <summary>Stops the broker and starts a fresh one on the same socket (a broker restart).</summary>
    public async Task RestartBrokerAsync()
    {
        await Broker.StopAsync(CancellationToken.None);
        await Broker.DisposeAsync();
        Broker = new BusServer(Options.Create(BrokerOptions));
        await Broker.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Bridge is not null)
        {
            await Bridge.DisposeAsync();
            await BridgeLocal.DisposeAsync();
            await BridgeNats.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Broker.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private DecnetBusOptions ClientOptions(string name, bool echo) => new()
    {
        SocketPath = BrokerOptions.SocketPath,
        ClientName = name,
        Echo = echo,
        KeepaliveInterval = TimeSpan.Zero,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        QueueSize = 16_384,
    };
}
