using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>Handler subscriptions (queues large enough that nothing is dropped) on one live loop, and a dispatcher over them.</summary>
internal sealed class DispatcherRig : IAsyncDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    private readonly BusCounterSet _counters = new("test");
    private readonly DeliveryLoop _loop = new(logger: null);
    private readonly ClientSubscription[] _subscriptions;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _handled;
    private long _expected = long.MaxValue;

    public DispatcherRig(int count)
    {
        _subscriptions = new ClientSubscription[count];
        for (var i = 0; i < count; i++)
        {
            var queue = new HandlerSubscription("a.>", 1 << 16, OnEvent, _loop, _counters, null);
            _subscriptions[i] = new ClientSubscription((uint)(i + 1), "a.>", queue);
        }

        Dispatcher = Over(_subscriptions);
    }

    public EventDispatcher Dispatcher { get; }

    /// <summary>A dispatcher (no catch-up waits) that finds <paramref name="subscriptions"/> by their sids, 1, 2, ….</summary>
    public static EventDispatcher Over(params ClientSubscription[] subscriptions)
        => new(sid => sid >= 1 && sid <= subscriptions.Length ? subscriptions[sid - 1] : null, static _ => { }, waitsForCatchUp: false);

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.Queue.DisposeAsync();
        }

        await _loop.DisposeAsync();
    }

    public async Task AssertAllHandledAsync(long expected)
    {
        Volatile.Write(ref _expected, expected);
        if (Interlocked.Read(ref _handled) >= expected)
        {
            _all.TrySetResult();
        }

        await _all.Task.WaitAsync(_bound);
        Assert.Equal(expected, Interlocked.Read(ref _handled));
        Assert.Equal(expected, _counters.Snapshot.Delivered);
        Assert.All(_subscriptions, s => Assert.Equal(0, s.Queue.Dropped));
    }

    private ValueTask OnEvent(BusDelivery delivery, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _handled) >= Volatile.Read(ref _expected))
        {
            _all.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }
}
