using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// The transport tests' in-process <see cref="TestBroker"/> (compiled in from tests/Decnet.Bus.Unix.Tests), with what
/// the hardening tests add: a longer failure bound, the broker's hub, and its rejection counters.
/// </summary>
internal sealed class LiveBroker : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly TestBroker _broker;

    private LiveBroker(TestBroker broker) => _broker = broker;

    public DecnetBusOptions Options => _broker.Options;

    public BusServer Server => _broker.Server;

    public BrokerHub Hub => Server.Hub!;

    public string SocketPath => _broker.SocketPath;

    public static async Task<LiveBroker> StartAsync(Action<DecnetBusOptions>? configure = null, ILogger<BusServer>? logger = null)
        => new(await TestBroker.StartAsync(configure, logger: logger));

    public static DecnetBusOptions NewOptions(string socketPath) => TestBroker.NewOptions(socketPath);

    public UnixSocketBus CreateClient(string name, int queueSize = 1024) => _broker.CreateClient(name, queueSize: queueSize);

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

    public ValueTask DisposeAsync() => _broker.DisposeAsync();
}
