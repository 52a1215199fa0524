using Decnet.Bus.Conformance;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests;

/// <summary>The design §5 suite, unchanged, against one in-process broker and <see cref="UnixSocketBus"/> clients of it.</summary>
public sealed class UnixBusConformanceTests : BusConformanceTests
{
    private TestBroker _broker = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _broker = await TestBroker.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _broker.DisposeAsync();
    }

    protected override ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options)
    {
        var client = TestBroker.NewOptions(_broker.SocketPath);
        client.Echo = options.Echo;
        client.QueueSize = options.QueueSize;
        client.ClientName = options.Name;
        return ValueTask.FromResult<IBus>(new UnixSocketBus(client));
    }
}
