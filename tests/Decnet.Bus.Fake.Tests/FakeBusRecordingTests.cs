using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Fake.Tests;

public sealed class FakeBusRecordingTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Published_RecordsEveryPublishInOrder_AndClearResetsIt()
    {
        await using var bus = new FakeBus();

        await bus.PublishAsync("a.one", new { n = 1 }, type: "first");
        await bus.PublishAsync("a.two", new { n = 2 });
        var snapshot = bus.Published;
        await bus.PublishAsync("a.three", new { n = 3 });

        Assert.Equal(["a.one", "a.two"], snapshot.Select(e => e.Topic));
        Assert.Equal(["a.one", "a.two", "a.three"], bus.Published.Select(e => e.Topic));
        Assert.Equal("first", bus.Published[0].Type);

        bus.Clear();

        Assert.Empty(bus.Published);
        Assert.Equal(3, bus.Counters.Published);
    }

    [Fact]
    public async Task Publish_WithACancelledToken_ReturnsAndRecordsTheEvent_AsTheRealTransportsThatNeedNotWait()
    {
        await using var bus = new FakeBus();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await bus.PublishAsync("a.cancelled", new { n = 1 }, cancellationToken: cancelled.Token);

        Assert.Equal(["a.cancelled"], bus.Published.Select(e => e.Topic));
    }

    [Fact]
    public async Task Published_RecordsOnlyThisInstance_NotOtherClientsOnTheNetwork()
    {
        var network = new FakeBusNetwork();
        await using var mine = new FakeBus(new FakeBusOptions { Network = network });
        await using var theirs = new FakeBus(new FakeBusOptions { Network = network });

        await theirs.PublishAsync("x.theirs", new { n = 1 });
        await mine.PublishAsync("x.mine", new { n = 2 });

        Assert.Equal(["x.mine"], mine.Published.Select(e => e.Topic));
        Assert.Equal(["x.theirs"], theirs.Published.Select(e => e.Topic));
    }

    [Fact]
    public async Task NewFakeBus_GetsItsOwnNetwork()
    {
        await using var first = new FakeBus();
        await using var second = new FakeBus();
        await using var subscription = await second.SubscribeAsync("iso.>");

        await first.PublishAsync("iso.first", new { n = 1 });
        await second.PublishAsync("iso.second", new { n = 2 });

        // FakeBus routes synchronously, so the first event queued is the first publish that reached this network.
        await using var events = subscription.GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
        Assert.Equal("iso.second", events.Current.Topic);
        Assert.Equal(1, subscription.Received);
        Assert.NotSame(first.Network, second.Network);
    }

    [Fact]
    public async Task Events_HaveNoPublisherCredentials_AndTimestampFromTheTimeProvider()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, 123, TimeSpan.Zero));
        await using var bus = new FakeBus(new FakeBusOptions { TimeProvider = clock });

        await bus.PublishAsync("t.x", new { n = 1 });

        var evt = Assert.Single(bus.Published);
        Assert.Null(evt.Publisher);
        Assert.Equal(clock.GetUtcNow(), evt.PublishedAt);
    }

    [Fact]
    public async Task Publish_ComesBackQuickly_WhenNothingReads()
    {
        await using var bus = new FakeBus(new FakeBusOptions { QueueSize = 1 });
        await using var unread = await bus.SubscribeAsync(">");

        for (var i = 0; i < 10_000; i++)
        {
            var pending = bus.PublishAsync("p.x", new { i });
            Assert.True(pending.IsCompletedSuccessfully);
        }

        Assert.Equal(9_999, unread.Dropped);
    }

    [Fact]
    public void AddFakeTransport_RegistersTheFakeProvider()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        Microsoft.Extensions.DependencyInjection.FakeTransportServiceCollectionExtensions.AddFakeTransport(services);

        Assert.Single(services, d => d.ServiceType == typeof(IBusTransportProvider) && d.ImplementationType == typeof(FakeBusTransportProvider));
    }
}
