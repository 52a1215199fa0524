using System.Diagnostics;
using System.Globalization;
using Decnet.Bus.Unix;

namespace Decnet.Bus.Soak.Load;

/// <summary>
/// One <see cref="UnixSocketBus"/> with exactly one subscription, so the broker's per-connection row is this
/// subscription's row. Its reader checks every event: the topic matches the pattern, and per publisher the sequence
/// numbers only go up (in order, no duplicates; gaps are drops). A laggard stops reading while held, so its client
/// queue overflows and drops, counted.
/// </summary>
public sealed class LoadSubscriber : IAsyncDisposable
{
    private readonly UnixSocketBus _bus;
    private readonly IReadOnlyDictionary<string, int> _publisherByTopic;
    private readonly long[] _lastSeq;
    private readonly Lock _holdGate = new();
    private IBusSubscription? _subscription;
    private Task _reader = Task.CompletedTask;
    private TaskCompletionSource? _hold;
    private long _consumed;
    private long _disorders;
    private long _mismatches;
    private long _brokerEvents;
    private long _firstEventAt;
    private string? _firstProblem;

    private LoadSubscriber(DecnetBusOptions options, string pattern, bool laggard, IReadOnlyDictionary<string, int> publisherByTopic)
    {
        _bus = new UnixSocketBus(options);
        Changes = new CountWaiter(() => _bus.ConnectionChanged);
        Name = options.ClientName;
        Pattern = pattern;
        IsLaggard = laggard;
        _publisherByTopic = publisherByTopic;
        _lastSeq = new long[publisherByTopic.Count];
        Array.Fill(_lastSeq, -1);
    }

    /// <summary>The client name the broker lists it under.</summary>
    public string Name { get; }

    /// <summary>The subscription's pattern.</summary>
    public string Pattern { get; }

    /// <summary>Whether it stops reading during load.</summary>
    public bool IsLaggard { get; }

    /// <summary>The client.</summary>
    public UnixSocketBus Bus => _bus;

    /// <summary>Wakes waiters when the reader takes an event or the client's connection comes or goes.</summary>
    public CountWaiter Changes { get; }

    /// <summary>Events that reached the subscription's queue (the client's <c>Received</c>, including later drops).</summary>
    public long Received => _subscription!.Received;

    /// <summary>Events the subscription's full queue discarded (the client's <c>Dropped</c>).</summary>
    public long Dropped => _subscription!.Dropped;

    /// <summary>Times the client re-established the subscription.</summary>
    public long Reconnected => _subscription!.Reconnected;

    /// <summary>Events the reader took.</summary>
    public long Consumed => Volatile.Read(ref _consumed);

    /// <summary>Events that arrived out of order or twice for their publisher.</summary>
    public long Disorders => Interlocked.Read(ref _disorders);

    /// <summary>Events whose topic does not match the pattern, or from no known publisher.</summary>
    public long Mismatches => Interlocked.Read(ref _mismatches);

    /// <summary>The broker's own events taken (<c>system.bus.health</c>, published by the broker itself).</summary>
    public long BrokerEvents => Interlocked.Read(ref _brokerEvents);

    /// <summary>The first disorder or mismatch, described.</summary>
    public string? FirstProblem => Volatile.Read(ref _firstProblem);

    /// <summary>The reader's queue is empty: every received event was taken or dropped.</summary>
    public bool IsDrained
    {
        get
        {
            // Read Consumed first: an event taken after this read can only make the equation fail, never fake it.
            var consumed = Consumed;
            return Received - Dropped == consumed;
        }
    }

    /// <summary>Nothing more can arrive (no connection) and everything that did was taken or dropped.</summary>
    public bool IsQuiet => !_bus.IsConnected && IsDrained;

    /// <summary>Stopwatch timestamp of the first event since <see cref="ArmFirstEvent"/>, 0 if none yet.</summary>
    public long FirstEventAt => Interlocked.Read(ref _firstEventAt);

    /// <summary>Connects, subscribes (returns after SUBACK when the broker is up) and starts the reader.</summary>
    public static async Task<LoadSubscriber> StartAsync(DecnetBusOptions options, string pattern, bool laggard, IReadOnlyDictionary<string, int> publisherByTopic)
    {
        var subscriber = new LoadSubscriber(options, pattern, laggard, publisherByTopic);
        subscriber._subscription = await subscriber._bus.SubscribeAsync(pattern);
        subscriber._reader = subscriber.ReadAsync();
        return subscriber;
    }

    /// <summary>Forgets the first-event time so the next event after a restart is timed.</summary>
    public void ArmFirstEvent() => Interlocked.Exchange(ref _firstEventAt, 0);

    /// <summary>A laggard stops reading until <see cref="Release"/>.</summary>
    public void Hold()
    {
        if (IsLaggard)
        {
            lock (_holdGate)
            {
                _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Lets a held laggard read again.</summary>
    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_holdGate)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Release();
        await _bus.DisposeAsync();
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReadAsync()
    {
        await Task.Yield();
        await foreach (var evt in _subscription!)
        {
            Observe(evt);
            Volatile.Write(ref _consumed, _consumed + 1);
            Changes.Poke();
            Task? hold;
            lock (_holdGate)
            {
                hold = _hold?.Task;
            }

            if (hold is not null)
            {
                await hold;
            }
        }
    }

    private void Observe(BusEvent evt)
    {
        if (Interlocked.Read(ref _firstEventAt) == 0)
        {
            Interlocked.CompareExchange(ref _firstEventAt, Stopwatch.GetTimestamp(), 0);
        }

        if (evt.Topic == Topics.SystemBusHealth && Topics.Matches(Pattern, evt.Topic))
        {
            Interlocked.Increment(ref _brokerEvents);
            return;
        }

        if (!_publisherByTopic.TryGetValue(evt.Topic, out var publisher) || !Topics.Matches(Pattern, evt.Topic)
            || !long.TryParse(evt.Type, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            Interlocked.Increment(ref _mismatches);
            Interlocked.CompareExchange(ref _firstProblem, $"{Name} '{Pattern}': unexpected event on {evt.Topic} type '{evt.Type}'", null);
            return;
        }

        if (seq <= _lastSeq[publisher])
        {
            Interlocked.Increment(ref _disorders);
            Interlocked.CompareExchange(ref _firstProblem, $"{Name} '{Pattern}': {evt.Topic} seq {seq} after {_lastSeq[publisher]} (out of order or duplicate)", null);
            return;
        }

        _lastSeq[publisher] = seq;
    }
}
