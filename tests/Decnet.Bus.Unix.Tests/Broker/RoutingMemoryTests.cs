using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A publishing connection stages what it routes per destination while it handles a read (docs/performance.md, "The
/// design, and why"). Once it has handled everything it read, it holds none of that memory: kept per (publisher,
/// destination) pair, it grew with the product of the connections, and one large event made each pair keep 512 KiB.
/// </summary>
public sealed class RoutingMemoryTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task APublisherThatRoutedALargeEventToSeveralSubscribers_HoldsNoRoutingMemory_OnceItsReadIsHandled()
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
        Assert.Equal(0, connection.RetainedRoutingBytes);
    }
}
