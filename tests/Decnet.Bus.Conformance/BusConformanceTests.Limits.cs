using System.Text;

namespace Decnet.Bus.Conformance;

/// <summary>
/// The default limits every transport is configured with (DECNET_BUS_MAX_TOPIC_BYTES 256, DECNET_BUS_MAX_PATTERN_TOKENS
/// 32, DECNET_BUS_MAX_FRAME_BYTES 1 MiB): code that a test double accepts must not throw in production.
/// </summary>
public abstract partial class BusConformanceTests
{
    private const int _defaultMaxTopicBytes = 256;
    private const int _defaultMaxPatternTokens = 32;
    private const int _defaultMaxFrameBytes = 1024 * 1024;

    [Fact]
    public async Task Publish_TopicOverTheDefaultMaxTopicBytes_ThrowsArgumentException_OneAtTheLimitIsDelivered()
    {
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("long.>"));
        var atLimit = T("long.") + new string('x', _defaultMaxTopicBytes - Encoding.UTF8.GetByteCount(T("long.")));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(atLimit + "x", new { n = 1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.SubscribeAsync(atLimit + "x"));
        await bus.PublishAsync(atLimit, new { n = 2 });

        using var timeout = new CancellationTokenSource(Bound);
        await using var events = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(atLimit, events.Current.Topic);
        Assert.Equal(1, bus.Counters.Published);
    }

    [Fact]
    public async Task Subscribe_PatternOverTheDefaultMaxPatternTokens_IsRejectedWithCode4_OneAtTheLimitIsLive()
    {
        var bus = await NewBusAsync();
        var atLimit = T(string.Join('.', Enumerable.Repeat("a", _defaultMaxPatternTokens - 2)) + ".>");
        Assert.Equal(_defaultMaxPatternTokens, atLimit.Split('.').Length);

        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await bus.SubscribeAsync("x." + atLimit));
        await using var subscription = await bus.SubscribeAsync(atLimit);
        await bus.PublishAsync(T(string.Join('.', Enumerable.Repeat("a", _defaultMaxPatternTokens))), new { n = 1 });

        Assert.Equal("x." + atLimit, error.Pattern);
        Assert.Equal(4, error.Code);
        using var timeout = new CancellationTokenSource(Bound);
        await using var events = subscription.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
    }

    [Fact]
    public async Task Publish_EventOverTheDefaultMaxFrameBytes_ThrowsArgumentExceptionAndIsNotCounted_OneUnderItIsDelivered()
    {
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("big.>"));

        // Each transport frames the envelope its own way (a PUB frame, NATS headers): 4 KiB under the limit fits all.
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(T("big.over"), new Dictionary<string, object?> { ["blob"] = new byte[2 * _defaultMaxFrameBytes] }));
        await bus.PublishAsync(T("big.under"), new Dictionary<string, object?> { ["blob"] = new byte[_defaultMaxFrameBytes - 4096] });

        var evt = await ReadOneAsync(subscription);
        Assert.Equal(T("big.under"), evt.Topic);
        Assert.Equal(1, bus.Counters.Published);
    }
}
