using Decnet.Bus.Conformance;
using Decnet.Bus.Nats.Tests.Support;

namespace Decnet.Bus.Nats.Tests;

/// <summary>The shared conformance suite, unchanged, against <see cref="NatsBus"/> clients of one real nats-server.</summary>
[RequiresNatsServer]
public sealed class NatsBusConformanceTests(NatsServerFixture fixture) : BusConformanceTests, IClassFixture<NatsServerFixture>
{
    protected override ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options)
    {
        var bus = new NatsBus(NatsTestOptions.For(fixture.Server, options.Name, options.Echo, options.QueueSize));
        return ValueTask.FromResult<IBus>(bus);
    }
}
