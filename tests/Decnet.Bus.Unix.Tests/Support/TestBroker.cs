using Decnet.Bus.Unix.Broker.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>An in-process broker on a temp socket plus a factory for clients of it; disposes everything it made.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TempSocketDir? _dir;

    private readonly ILogger<BusServer>? _logger;
    private readonly Func<BrokerLimits, BrokerLimits>? _limits;

    private TestBroker(DecnetBusOptions options, TempSocketDir? dir, TimeProvider? time, ILogger<BusServer>? logger, Func<BrokerLimits, BrokerLimits>? limits)
    {
        Options = options;
        _dir = dir;
        _logger = logger;
        _limits = limits;
        Server = new BusServer(Microsoft.Extensions.Options.Options.Create(options), logger, time) { AdjustLimits = limits };
    }

    public DecnetBusOptions Options { get; }

    public BusServer Server { get; private set; }

    public string SocketPath => Options.SocketPath;

    /// <param name="limits">Adjusts the broker's internal limits, for bounds no option sets (the control lane).</param>
    public static async Task<TestBroker> StartAsync(Action<DecnetBusOptions>? configure = null, TimeProvider? time = null, ILogger<BusServer>? logger = null, Func<BrokerLimits, BrokerLimits>? limits = null)
    {
        var dir = new TempSocketDir();
        var options = NewOptions(dir.SocketPath);
        configure?.Invoke(options);
        var broker = new TestBroker(options, dir, time, logger, limits);
        await broker.Server.StartAsync(CancellationToken.None);
        return broker;
    }

    public static DecnetBusOptions NewOptions(string socketPath) => new()
    {
        SocketPath = socketPath,
        Group = string.Empty,
        HeartbeatInterval = TimeSpan.Zero,
        KeepaliveInterval = TimeSpan.Zero,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Stops this broker and starts a fresh one on the same path (a broker restart).</summary>
    public async Task RestartAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        await Server.DisposeAsync();
        Server = new BusServer(Microsoft.Extensions.Options.Options.Create(Options), _logger) { AdjustLimits = _limits };
        await Server.StartAsync(CancellationToken.None);
    }

    public UnixSocketBus CreateClient(string name = "test", bool echo = true, int queueSize = 1024, Action<DecnetBusOptions>? configure = null)
    {
        var options = NewOptions(SocketPath);
        options.ClientName = name;
        options.Echo = echo;
        options.QueueSize = queueSize;
        configure?.Invoke(options);
        var bus = new UnixSocketBus(options);
        _owned.Add(bus);
        return bus;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Server.DisposeAsync();
        _dir?.Dispose();
    }
}
