using System.Collections.Concurrent;
using Decnet.Bus;
using Decnet.Bus.Codec;
using Decnet.Bus.Internal;

namespace Decnet.Testing;

/// <summary>
/// A minimal in-memory bus for tests: records publishes (payload decoded through the real codec), routes them to
/// matching subscriptions, lets a test await the n-th publish or the first subscription, and can be told to fail
/// publishes. FakeBus lives in another package; this keeps tests of other projects independent of it.
/// </summary>
internal sealed class RecordingBus : IBus
{
    private readonly List<RecordedPublish> _published = [];
    private readonly ConcurrentBag<ChannelSubscription> _subscriptions = [];
    private readonly List<(int Count, TaskCompletionSource<BusEvent> Done)> _waiters = [];
    private readonly TaskCompletionSource<string> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BusCounterSet _counters = new("recording");

    public RecordingBus()
    {
    }

    /// <summary>A bus whose every publish throws <paramref name="failWith"/>.</summary>
    public RecordingBus(Exception failWith) => FailWith = _ => failWith;

    public DecnetBusOptions? Options { get; init; }

    /// <summary>
    /// When set, each publish is recorded and routed first and then waits for this task, as a paced transport waits
    /// for buffer space: the token cancels only that wait, and the event stays published.
    /// </summary>
    public Task? Pace { get; init; }

    /// <summary>When set, publishes throw what this returns (null publishes normally).</summary>
    public Func<string, Exception?>? FailWith { get; set; }

    /// <summary>Every publish so far, in order (a snapshot).</summary>
    public IReadOnlyList<RecordedPublish> Published
    {
        get
        {
            lock (_waiters)
            {
                return [.. _published];
            }
        }
    }

    public Task<string> Subscribed => _subscribed.Task;

    /// <summary>The options of the latest enumerable subscription (null when none, or when it passed none).</summary>
    public SubscriptionOptions? LastSubscriptionOptions { get; private set; }

    public BusCounters Counters => _counters.Snapshot;

    public bool Disposed { get; private set; }

    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        if (FailWith?.Invoke(topic) is { } failure)
        {
            throw failure;
        }

        // The token is not checked here: like the real transports, it cancels only the wait for space (Pace).
        ObjectDisposedException.ThrowIf(Disposed, this);
        Topics.EnsureValidTopic(topic);
        var evt = new BusEvent(topic, BusCodec.SerializePayload(payload), type, null, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        _counters.AddPublished();
        foreach (var subscription in _subscriptions)
        {
            if (Topics.Matches(subscription.Pattern, topic))
            {
                subscription.TryDeliver(evt);
            }
        }

        lock (_waiters)
        {
            _published.Add(new RecordedPublish(topic, type, evt));
            foreach (var waiter in _waiters.Where(w => _published.Count >= w.Count))
            {
                waiter.Done.TrySetResult(evt);
            }
        }

        return Pace is null ? ValueTask.CompletedTask : new ValueTask(Pace.WaitAsync(cancellationToken));
    }

    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        Topics.EnsureValidPattern(pattern);
        LastSubscriptionOptions = options;
        var subscription = new ChannelSubscription(pattern, options?.QueueSize ?? SubscriptionOptions.DefaultQueueSize, _counters, onDispose: null);
        _subscriptions.Add(subscription);
        _subscribed.TrySetResult(pattern);
        return ValueTask.FromResult<IBusSubscription>(subscription);
    }

    /// <summary>Completes with the <paramref name="count"/>-th published event.</summary>
    public Task<BusEvent> WaitForPublishCountAsync(int count)
    {
        lock (_waiters)
        {
            if (_published.Count >= count)
            {
                return Task.FromResult(_published[count - 1].Event);
            }

            var done = new TaskCompletionSource<BusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Disposed = true;
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }
}
