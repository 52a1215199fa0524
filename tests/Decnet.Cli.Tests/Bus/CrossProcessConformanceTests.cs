using Decnet.Bus;
using Decnet.Bus.Conformance;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// The design §5 suite, unchanged, against a real <c>decnet bus</c> child process: every client is a
/// <see cref="UnixSocketBus"/> in this test process talking to the broker over its socket.
/// </summary>
public sealed class CrossProcessConformanceTests(BrokerFixture broker) : BusConformanceTests, IClassFixture<BrokerFixture>
{
    protected override ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options)
        => ValueTask.FromResult<IBus>(new UnixSocketBus(new DecnetBusOptions
        {
            SocketPath = broker.SocketPath,
            Group = string.Empty,
            Echo = options.Echo,
            QueueSize = options.QueueSize,
            ClientName = options.Name,
        }));
}
