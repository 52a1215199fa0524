namespace Decnet.Bus.Internal;

/// <summary>
/// What every subscription queue shares, whoever consumes it (an enumerator, <see cref="ChannelSubscription"/>, or a
/// handler, <see cref="HandlerSubscription"/>): one lock, the drop-oldest counts and loss reports
/// (<see cref="LossLedger"/>), reconnect counting and disposal. Transports append a run of events (under one hold of
/// the lock, <see cref="BeginAppends"/>) and then wake the consumer once, so it is woken once per run, not once per
/// event.
/// </summary>
internal abstract class SubscriptionQueue : IAsyncDisposable, ICatchUpTarget
{
    private readonly BusCounterSet? _busCounters;
    private readonly CatchUpGate _catchUp = new();
    private Func<SubscriptionQueue, ValueTask>? _onDispose;
    private LossLedger _ledger;
    private long _uncountedDelivered;
    private long _uncountedDropped;
    private long _reconnected;
    private long _progress;
    private int _disposed;

    protected SubscriptionQueue(string pattern, int queueSize, BusCounterSet? busCounters, Func<SubscriptionQueue, ValueTask>? onDispose)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueSize, 1);
        Pattern = pattern;
        QueueSize = queueSize;
        _busCounters = busCounters;
        _onDispose = onDispose;
    }

    public string Pattern { get; }

    public int QueueSize { get; }

    public long Received
    {
        get
        {
            lock (Gate)
            {
                return _ledger.Received;
            }
        }
    }

    public long Dropped
    {
        get
        {
            lock (Gate)
            {
                return _ledger.Dropped;
            }
        }
    }

    public long Reconnected => Volatile.Read(ref _reconnected);

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Transport-owned state (for example a wire subscription id).</summary>
    public object? State { get; set; }

    /// <summary>
    /// Set by the one transport loop that fills this queue while a <see cref="Wake"/> is owed at the end of its current
    /// batch, so a batch wakes each subscription once. Only that loop reads or writes it.
    /// </summary>
    public bool AwaitsWake { get; set; }

    /// <summary>
    /// Set by that same loop when it queued more events after the batch's first wake-up, so the end of the batch
    /// still owes one. Only that loop reads or writes it.
    /// </summary>
    public bool AppendedSinceWake { get; set; }

    /// <summary>
    /// Set by the last append when it left this queue behind (more than half full, consumer not excused; see
    /// <see cref="IsBehind"/>), so the transport loop that appended can stop its read there without taking the lock
    /// again. Only that loop reads it.
    /// </summary>
    public bool LeftBehind { get; private set; }

    /// <summary>Guards the queue, the ledger and the consumer's parking state.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Queues <paramref name="evt"/> and wakes the consumer; false once disposed.</summary>
    public bool TryDeliver(BusEvent evt)
    {
        if (!Append(evt))
        {
            return false;
        }

        Wake();
        return true;
    }

    /// <summary>
    /// Queues <paramref name="evt"/> without waking the consumer (call <see cref="Wake"/> after the batch), dropping
    /// the oldest queued event when full. False once disposed.
    /// </summary>
    public abstract bool Append(BusEvent evt);

    /// <summary>Ends a batch of appends: wakes a parked consumer and publishes the batch's counts.</summary>
    /// <remarks>A run of one: the lock is taken here and <see cref="EndAppends"/> lets it go.</remarks>
    public void Wake()
    {
        Gate.Enter();
        EndAppends();
    }

    /// <summary>
    /// Starts a run of held appends (<c>AppendHeld</c>, <c>AppendCopyHeld</c>) under one hold of the lock, for a
    /// transport loop that queues several events of one read on this queue in a row: the lock is then taken once per
    /// run, not once per event. Every call must be matched by <see cref="EndAppends"/> on the same thread.
    /// </summary>
    public void BeginAppends() => Gate.Enter();

    /// <summary>
    /// Ends a run begun with <see cref="BeginAppends"/>: does what <see cref="Wake"/> does, claiming the wake-up inside
    /// the run's own hold of the lock, and releases the lock.
    /// </summary>
    public abstract void EndAppends();

    /// <summary>
    /// After a transport's batch of appends: whether it should wait for this consumer before reading on (the queue is
    /// more than half full and the consumer not excused; docs/Service-Bus.md, "Catch-up waits").
    /// </summary>
    public bool IsBehind()
    {
        lock (Gate)
        {
            return _catchUp.ShouldWait(QueuedCountLocked > QueueSize / 2);
        }
    }

    /// <inheritdoc />
    public long Progress
    {
        get
        {
            lock (Gate)
            {
                return _progress;
            }
        }
    }

    /// <inheritdoc />
    public Task? CatchUpTask()
    {
        lock (Gate)
        {
            return IsDisposed || _catchUp.IsExcused || QueuedCountLocked <= QueueSize / 4 ? null : _catchUp.WaitTask();
        }
    }

    /// <inheritdoc />
    public void Excuse()
    {
        lock (Gate)
        {
            if (QueuedCountLocked > QueueSize / 4)
            {
                _catchUp.Excuse()?.TrySetResult();
            }
        }
    }

    /// <summary>Records that the transport re-established this subscription after a reconnect.</summary>
    public void MarkReconnected() => Interlocked.Increment(ref _reconnected);

    /// <summary>
    /// Records <paramref name="count"/> events lost before the next one this subscription receives (a broker's queue
    /// dropped them); the next delivered event reports them in <see cref="BusEvent.MissedBefore"/>.
    /// </summary>
    public void AddLostBeforeNext(long count)
    {
        lock (Gate)
        {
            _ledger.AddLostBeforeNext(count);
        }
    }

    /// <summary>
    /// Records that events may have been lost uncounted before the next one this subscription receives (the
    /// connection that carried it ended); the next delivered event reports <see cref="BusEvent.MayHaveMissed"/>.
    /// </summary>
    public void MarkMayHaveMissedBeforeNext()
    {
        lock (Gate)
        {
            _ledger.MarkGapBeforeNext();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Discard what is queued so a waiting consumer ends now instead of draining a backlog nobody wants.
        OnDisposed();
        await AfterDisposedAsync().ConfigureAwait(false);
        var onDispose = Interlocked.Exchange(ref _onDispose, null);
        if (onDispose is not null)
        {
            await onDispose(this).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After <see cref="OnDisposed"/>: waits for what must end before the disposal returns (nothing by default).
    /// </summary>
    protected virtual ValueTask AfterDisposedAsync() => ValueTask.CompletedTask;

    /// <summary>Empties the queue and releases a parked consumer; called once, after <see cref="IsDisposed"/> turned true.</summary>
    protected abstract void OnDisposed();

    /// <summary>Under <see cref="Gate"/>: the events queued.</summary>
    protected abstract int QueuedCountLocked { get; }

    /// <summary>
    /// Under <see cref="Gate"/>, after the consumer took an event (or the queue was emptied): at a quarter full, a
    /// waiting transport reads on and an excuse ends; otherwise the event counts towards ending an excuse. The waiter's
    /// continuation runs asynchronously, so no foreign code runs under the lock.
    /// </summary>
    protected void OnTakenLocked()
    {
        _progress++;
        _catchUp.Took(1, QueuedCountLocked <= QueueSize / 4 || IsDisposed, QueueSize)?.TrySetResult();
    }

    /// <summary>Under <see cref="Gate"/>: an event is being queued; returns the losses it carries.</summary>
    protected (long Lost, bool Gap) QueuedLocked()
    {
        _uncountedDelivered++;
        return _ledger.OnQueued();
    }

    /// <summary>Under <see cref="Gate"/>, after an event was queued: notes whether it left the queue behind (<see cref="LeftBehind"/>).</summary>
    protected void AfterAppendLocked() => LeftBehind = _catchUp.ShouldWait(QueuedCountLocked > QueueSize / 2);

    /// <summary>Under <see cref="Gate"/>: the oldest queued event (carrying these losses) is dropped.</summary>
    protected void DroppedLocked(long lost, bool gap)
    {
        _uncountedDropped++;
        _ledger.OnDropped(lost, gap);
    }

    /// <summary>Under <see cref="Gate"/>: the oldest queued event (carrying these losses) is read; returns what it reports.</summary>
    protected (long Lost, bool Gap) ReadLocked(long lost, bool gap) => _ledger.OnRead(lost, gap);

    /// <summary>Under <see cref="Gate"/>: takes the counts not yet added to the bus counters.</summary>
    protected (long Delivered, long Dropped) TakeUncountedLocked()
    {
        var counts = (_uncountedDelivered, _uncountedDropped);
        _uncountedDelivered = 0;
        _uncountedDropped = 0;
        return counts;
    }

    /// <summary>Adds counts taken with <see cref="TakeUncountedLocked"/> to the bus counters (outside the lock).</summary>
    protected void Count((long Delivered, long Dropped) counts)
    {
        if (_busCounters is null)
        {
            return;
        }

        if (counts.Delivered != 0)
        {
            _busCounters.AddDelivered(counts.Delivered);
        }

        if (counts.Dropped != 0)
        {
            _busCounters.AddDropped(counts.Dropped);
        }
    }
}
