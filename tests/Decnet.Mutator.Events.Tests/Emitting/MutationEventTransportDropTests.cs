using Decnet.Bus;
using Decnet.Bus.Fake;
using Decnet.Bus.Unix;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// A transport drops (and counts) what it cannot send instead of throwing, so the emitter must not take a publish
/// that returned for one that was sent (docs/mutation-events.md, "Failure semantics").
/// </summary>
public sealed class MutationEventTransportDropTests : IDisposable
{
    /// <summary>A failure bound only: a connect to a missing socket fails at once.</summary>
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();
    private readonly ListLogger<MutationEventEmitter> _logger = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UnixSocketBus_NoBroker_TheDroppedEventIsNotPublished_CountedAndLoggedOnce()
    {
        await using var bus = new UnixSocketBus(new DecnetBusOptions { SocketPath = _temp.File("no-broker.sock"), ClientName = "mutator-test" });
        // The barrier: a flush is refused once the first connection attempt has failed, so the bus is down.
        await Assert.ThrowsAsync<BusUnavailableException>(() => bus.FlushAsync().WaitAsync(_bound));
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus, logger: _logger);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.True(result.Written, result.WriteError);
        Assert.False(result.Published, $"Published with PublishFailure={result.PublishFailure}; bus dropped={bus.Counters.Dropped}");
        Assert.Equal(MutationBusFailure.Dropped, result.PublishFailure);
        Assert.StartsWith("the transport dropped it: the broker is unreachable", result.PublishError, StringComparison.Ordinal);
        Assert.Equal(1, emitter.BusFailureCount);
        Assert.Equal(1, emitter.BusFailuresOf(MutationBusFailure.Dropped));
        Assert.Equal(1, bus.Counters.Dropped);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("not published on decky.decky-01.mutation (dropped)", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BusConnectionState.Connecting, MutationBusFailure.None)]
    [InlineData(BusConnectionState.Disconnected, MutationBusFailure.Dropped)]
    public async Task ADropDuringThePublish_IsTheEventsOnlyWhenTheTransportIsDown(BusConnectionState state, MutationBusFailure expected)
    {
        // While the Unix transport makes its first connection it queues every publish, and a full queue gives up its
        // oldest chunk to take the newest: the drop that publish causes is an older event's, and this one is sent. Only
        // a transport that is down drops the publish itself.
        await using var bus = new StateBus(new FakeBus()) { State = state, DropsAnOlderEventOnPublish = true };
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus, logger: _logger);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.True(result.Written, result.WriteError);
        Assert.True(expected == result.PublishFailure, $"PublishFailure={result.PublishFailure}: {result.PublishError}");
        Assert.Equal(expected == MutationBusFailure.None, result.Published);
        Assert.Equal(expected == MutationBusFailure.None ? 0 : 1, emitter.BusFailureCount);
    }

    [Fact]
    public async Task FakeBus_StillPublished_EvenWhenASubscribersFullQueueDropsIt()
    {
        // A full subscription queue counts a drop during the publish; the bus still took the event (the other
        // subscriber has it), and a bus that reports no connection state never makes a drop the emitter's.
        await using var bus = new FakeBus();
        await using var full = await bus.SubscribeAsync("decky.>", new SubscriptionOptions { QueueSize = 1 });
        await using var reader = await bus.SubscribeAsync("decky.>");
        await bus.PublishAsync("decky.filler.mutation", new Dictionary<string, object>());
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus, logger: _logger);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.True(result.Succeeded, result.PublishError);
        Assert.Equal(MutationBusFailure.None, result.PublishFailure);
        Assert.Equal(0, emitter.BusFailureCount);
        Assert.Equal(1, full.Dropped);
        Assert.Equal("decky.decky-01.mutation", Assert.Single(bus.Published, e => e.Topic.EndsWith("decky-01.mutation", StringComparison.Ordinal)).Topic);
    }

    /// <summary>A bus whose connection state the test sets, and whose publishes can count an older event's drop.</summary>
    private sealed class StateBus(IBus inner) : IBus, IBusConnectionStatus
    {
        private long _olderDropped;

        public BusConnectionState State { get; init; }

        public bool DropsAnOlderEventOnPublish { get; init; }

        public BusCounters Counters => inner.Counters with { Dropped = inner.Counters.Dropped + Interlocked.Read(ref _olderDropped) };

        public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
        {
            if (DropsAnOlderEventOnPublish)
            {
                Interlocked.Increment(ref _olderDropped);
            }

            return inner.PublishAsync(topic, payload, type, cancellationToken);
        }

        public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
            => inner.SubscribeAsync(pattern, options, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
