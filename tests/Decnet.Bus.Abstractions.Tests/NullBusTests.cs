namespace Decnet.Bus.Abstractions.Tests;

public sealed class NullBusTests
{
    [Fact]
    public async Task Publish_IsDroppedAndCounted()
    {
        await using var bus = new NullBus();
        await bus.PublishAsync("system.test.health", new { a = 1 });
        await bus.PublishAsync("a.b", new Dictionary<string, object>());
        Assert.Equal(new BusCounters(Published: 2, Delivered: 0, Dropped: 2), bus.Counters);
    }

    [Fact]
    public async Task Subscription_CompletesAtOnce()
    {
        await using var bus = new NullBus();
        await using var subscription = await bus.SubscribeAsync("a.>");
        await bus.PublishAsync("a.b", new { x = 1 });

        var received = 0;
        await foreach (var _ in subscription.WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token))
        {
            received++;
        }

        Assert.Equal(0, received);
        Assert.Equal("a.>", subscription.Pattern);
        Assert.Equal(0, subscription.Received);
    }

    [Fact]
    public async Task InvalidTopicOrPattern_Throws()
    {
        await using var bus = new NullBus();
        await Assert.ThrowsAsync<ArgumentException>(() => bus.PublishAsync("a.*", new { }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => bus.SubscribeAsync("a.>.b").AsTask());
        Assert.Equal(0, bus.Counters.Published);
    }

    [Fact]
    public async Task OwnedInstance_AfterDispose_ThrowsObjectDisposed_AndDisposeIsIdempotent()
    {
        var bus = new NullBus();
        await bus.DisposeAsync();
        await bus.DisposeAsync();
        bus.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => bus.PublishAsync("a", new { }).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => bus.SubscribeAsync("a").AsTask());
    }

    [Fact]
    public async Task SharedInstance_SurvivesDispose()
    {
        await NullBus.Instance.DisposeAsync();
        NullBus.Instance.Dispose();
        var before = NullBus.Instance.Counters.Published;
        await NullBus.Instance.PublishAsync("a.b", new { });
        Assert.True(NullBus.Instance.Counters.Published > before);
    }
}
