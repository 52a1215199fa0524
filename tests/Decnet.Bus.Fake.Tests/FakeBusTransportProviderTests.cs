using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Decnet.Bus.Fake.Tests;

public sealed class FakeBusTransportProviderTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Name_IsFake()
        => Assert.Equal(DecnetBusOptions.FakeTransport, new FakeBusTransportProvider().Name);

    [Fact]
    public async Task Create_HonorsEchoQueueSizeAndClientName()
    {
        var network = new FakeBusNetwork();
        var services = Services(network, timeProvider: null);
        var options = new DecnetBusOptions { Type = "fake", Echo = false, QueueSize = 4, ClientName = "api" };

        await using var created = new FakeBusTransportProvider().Create(services, options);
        var bus = Assert.IsType<FakeBus>(created);
        await using var other = new FakeBus(new FakeBusOptions { Network = network });
        await using var subscription = await bus.SubscribeAsync("q.>");

        await bus.PublishAsync("q.own", new { n = -1 });
        for (var i = 0; i < 10; i++)
        {
            await other.PublishAsync("q.other", new { n = i });
        }

        Assert.Equal("api", bus.ClientName);
        Assert.Same(network, bus.Network);
        Assert.Equal(10, subscription.Received);
        Assert.Equal(6, subscription.Dropped);
        await using var events = subscription.GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
        Assert.Equal(6, Convert.ToInt32(events.Current.ReadPayloadAsDictionary()["n"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Create_DefaultOptions_EchoOnOwnNetworkAndRegisteredClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        await using var created = new FakeBusTransportProvider().Create(Services(network: null, clock), new DecnetBusOptions());
        var bus = Assert.IsType<FakeBus>(created);
        await using var subscription = await bus.SubscribeAsync("e.x");

        await bus.PublishAsync("e.x", new { n = 1 });

        Assert.True(bus.Echo);
        Assert.Equal(1, subscription.Received);
        Assert.Equal(86_400, bus.Published[0].Timestamp);
    }

    [Fact]
    public async Task Create_HonorsMaxFrameBytes()
    {
        var options = new DecnetBusOptions { Type = "fake", MaxFrameBytes = 4096 };
        await using var created = new FakeBusTransportProvider().Create(Services(network: null, timeProvider: null), options);
        var bus = Assert.IsType<FakeBus>(created);

        await bus.PublishAsync("f.small", new Dictionary<string, object?> { ["blob"] = new byte[2048] });
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync("f.big", new Dictionary<string, object?> { ["blob"] = new byte[4096] }));

        Assert.Contains("DECNET_BUS_MAX_FRAME_BYTES allows at most 4096", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, bus.Counters.Published);
        Assert.Single(bus.Published);
    }

    private static IServiceProvider Services(FakeBusNetwork? network, TimeProvider? timeProvider)
    {
        var services = Substitute.For<IServiceProvider>();
        services.GetService(typeof(FakeBusNetwork)).Returns(network);
        services.GetService(typeof(TimeProvider)).Returns(timeProvider);
        return services;
    }
}
