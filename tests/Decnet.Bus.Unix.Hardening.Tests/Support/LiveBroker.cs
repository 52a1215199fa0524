using Decnet.Bus.Unix.Broker.Internal;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>An in-process broker on a private temp socket, plus clients of it; disposes everything it made.</summary>
internal sealed class LiveBroker : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _directory;

    private LiveBroker(DecnetBusOptions options, string directory)
    {
        Options = options;
        _directory = directory;
        Server = new BusServer(Microsoft.Extensions.Options.Options.Create(options));
    }

    public DecnetBusOptions Options { get; }

    public BusServer Server { get; }

    public BrokerHub Hub => Server.Hub!;

    public string SocketPath => Options.SocketPath;

    public static async Task<LiveBroker> StartAsync(Action<DecnetBusOptions>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("dnh").FullName;
        var options = NewOptions(Path.Combine(directory, "bus.sock"));
        configure?.Invoke(options);
        var broker = new LiveBroker(options, directory);
        await broker.Server.StartAsync(CancellationToken.None);
        return broker;
    }

    public static DecnetBusOptions NewOptions(string socketPath) => new()
    {
        SocketPath = socketPath,
        Group = string.Empty,
        HeartbeatInterval = TimeSpan.Zero,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    public UnixSocketBus CreateClient(string name, int queueSize = 1024)
    {
        var options = NewOptions(SocketPath);
        options.ClientName = name;
        options.QueueSize = queueSize;
        var bus = new UnixSocketBus(options);
        _owned.Add(bus);
        return bus;
    }

    /// <summary>A task that completes with the next rejection of <paramref name="code"/> counted by the broker.</summary>
    public Task<Protocol.BusErrorCode> NextRejection(Protocol.BusErrorCode code)
    {
        var seen = new TaskCompletionSource<Protocol.BusErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        Hub.Rejected += c =>
        {
            if (c == code)
            {
                seen.TrySetResult(c);
            }
        };
        return seen.Task;
    }

    public long Rejections(string name) => Server.GetStats().Rejections.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
