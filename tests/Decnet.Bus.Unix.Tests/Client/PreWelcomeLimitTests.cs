using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// Publishes queued before the broker's WELCOME were checked against this process's own limits only: one over the
/// broker's lower limits is dropped (counted, logged) when the WELCOME arrives, before anything is sent, so the broker
/// does not close the connection over it and the events queued behind it arrive.
/// </summary>
public sealed class PreWelcomeLimitTests
{
    private const int _brokerMaxFrame = 65536;
    private const int _brokerMaxTopic = 16;
    private const int _attempts = 5;

    [Fact]
    public async Task AnEventOverTheBrokersFrameLimit_QueuedBeforeWelcome_IsDroppedAndCounted_AndTheEventsBehindItArrive()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaxFrameBytes = _brokerMaxFrame);
        var big = new { text = new string('x', 100 * 1024) };

        var (publisher, logger, subscription) = await PublishBeforeWelcomeAsync(broker, p => p.PublishAsync("a.2", big));
        await using (subscription)
        await using (publisher)
        {
            var line = await DeliveredAsync(publisher, logger, subscription);
            Assert.Contains("\"a.2\"", line, StringComparison.Ordinal);
            Assert.False(broker.Server.GetStats().Rejections.ContainsKey("frame_too_large"), "the broker saw the event over its limit");
        }
    }

    [Fact]
    public async Task AnEventOverTheBrokersTopicLimit_QueuedBeforeWelcome_IsDroppedAndCounted_NotSent()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaxTopicBytes = _brokerMaxTopic);

        var (publisher, logger, subscription) = await PublishBeforeWelcomeAsync(broker, p => p.PublishAsync("a.a-topic-longer-than-16", new { n = 2 }));
        await using (subscription)
        await using (publisher)
        {
            var line = await DeliveredAsync(publisher, logger, subscription);
            Assert.Contains("a.a-topic-longer-than-16", line, StringComparison.Ordinal);
            Assert.Equal(0, publisher.PublishesRejected);
        }
    }

    /// <summary>
    /// Subscribes a client to <c>a.&gt;</c>, then publishes a.1, <paramref name="overLimit"/> and a.3 from a new client
    /// before its connection is made. The client connects in the background, so a round whose handshake was quicker
    /// than the three publishes (<paramref name="overLimit"/> then throws) is run again with a fresh client.
    /// </summary>
    private static async Task<(UnixSocketBus Publisher, RecordingLogger Logger, IBusSubscription Subscription)> PublishBeforeWelcomeAsync(
        TestBroker broker, Func<UnixSocketBus, ValueTask> overLimit)
    {
        var subscriber = broker.CreateClient("subscriber");
        var subscription = await subscriber.SubscribeAsync("a.>");
        for (var attempt = 1; ; attempt++)
        {
            var logger = new RecordingLogger();
            var publisher = new UnixSocketBus(TestBroker.NewOptions(broker.SocketPath), logger);
            await publisher.PublishAsync("a.1", new { n = 1 });
            try
            {
                await overLimit(publisher);
            }
            catch (ArgumentException) when (publisher.IsConnected && attempt < _attempts)
            {
                // Connected already: the broker's limits were checked, not the pre-WELCOME path. Its a.1 is read below.
                await publisher.DisposeAsync();
                Assert.Equal("a.1", (await Receive.NextAsync(subscription)).Topic);
                continue;
            }

            await publisher.PublishAsync("a.3", new { n = 3 });
            return (publisher, logger, subscription);
        }
    }

    /// <summary>
    /// Asserts a.1, a.3 and (published once connected) a.4 arrive in order over one connection; returns the drop's log
    /// line.
    /// </summary>
    private static async Task<string> DeliveredAsync(UnixSocketBus publisher, RecordingLogger logger, IBusSubscription subscription)
    {
        await publisher.FlushAsync().WaitAsync(TestBroker.Bound);
        await publisher.PublishAsync("a.4", new { n = 4 });
        await publisher.FlushAsync().WaitAsync(TestBroker.Bound);

        var topics = (await Receive.TakeAsync(subscription, 3)).Select(e => e.Topic);
        Assert.Equal(["a.1", "a.3", "a.4"], topics);
        Assert.Equal(0, publisher.ConnectionsEnded);
        Assert.Equal(new BusCounters(4, 0, 1), publisher.Counters);
        return Assert.Single(logger.Lines, l => l.Contains("announced its limits", StringComparison.Ordinal));
    }
}
