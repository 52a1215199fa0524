using Decnet.Bus.Conformance;

namespace Decnet.Bus.Fake.Tests;

/// <summary>Runs the shared design §5 suite against FakeBus: every client of one test joins one network.</summary>
public sealed class FakeBusConformanceTests : BusConformanceTests
{
    private readonly FakeBusNetwork _network = new();

    protected override ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options)
        => ValueTask.FromResult<IBus>(new FakeBus(new FakeBusOptions
        {
            Echo = options.Echo,
            QueueSize = options.QueueSize,
            ClientName = options.Name,
            Network = _network,
        }));
}
