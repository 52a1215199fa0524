using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A publishing connection stages what it routes per destination while it handles a read
/// (docs/performance-history-5.md, part 26). Kept per (publisher, destination) pair, that memory grew with the product
/// of the connections, and one large event made each pair keep 512 KiB: now a read handled whole gives back what grew
/// past its ordinary size, and a read that routes nothing (the publisher is quiet: a PING, a PONG) gives back the rest.
/// </summary>
public sealed class RoutingMemoryTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task ALargeEventsBuffersGoBackAfterItsRead_AndAQuietPublisherHoldsNone()
    {
        var publisher = _broker.CreateClient("pub");
        var subscriptions = new List<IBusSubscription>();
        for (var i = 0; i < 3; i++)
        {
            subscriptions.Add(await _broker.CreateClient($"sub{i}").SubscribeAsync("memory.>"));
        }

        await publisher.PublishAsync("memory.large", new Dictionary<string, byte[]> { ["blob"] = new byte[300 * 1024] });
        foreach (var subscription in subscriptions)
        {
            Assert.Equal("memory.large", (await Receive.NextAsync(subscription)).Topic);
        }

        await publisher.FlushAsync(); // a PING barrier: its PONG leaves after the read that carried it was handled
        var connection = _broker.Server.Hub!.Connections.Single(c => c.Name == "pub");
        var ordinary = 3 * (EventStaging.OrdinaryBytes + (EventStaging.OrdinaryFrames * sizeof(int)));
        Assert.InRange(connection.RetainedRoutingBytes, 0, ordinary); // 1,573,632 before: three 512 KiB buffers

        await publisher.FlushAsync(); // a read with nothing to route

        Assert.Equal(0, connection.RetainedRoutingBytes);
        Assert.Equal(0, _broker.Server.Hub!.StagingBytes); // the broker-wide count agrees: nothing else publishes here
    }
}
