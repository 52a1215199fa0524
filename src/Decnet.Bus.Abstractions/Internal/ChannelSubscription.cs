using System.Diagnostics;
using Decnet.Bus.Tracing;

namespace Decnet.Bus.Internal;

/// <summary>
/// A subscription read as an async stream: a bounded drop-oldest ring of events (exact counts) that the transport fills
/// a read at a time. <see cref="IAsyncEnumerator{T}.MoveNextAsync"/> completes synchronously while the ring holds
/// events; a reader that finds it empty parks, and the transport's <see cref="SubscriptionQueue.Wake"/> after its batch
/// hands it the next event (one wake-up per batch, and only when a reader is parked). Shared by every transport so all
/// count and drop identically, and report losses on the next delivered event (<see cref="BusEvent.MissedBefore"/>,
/// <see cref="BusEvent.MayHaveMissed"/>).
/// </summary>
internal sealed partial class ChannelSubscription : SubscriptionQueue, IBusSubscription
{
    private readonly List<Reader> _parked = new(1);
    private readonly ResumeThread? _resumer;
    private BoundedRing<Entry> _ring;

    /// <param name="pattern">The subscription's pattern.</param>
    /// <param name="queueSize">The ring's capacity in events.</param>
    /// <param name="busCounters">The bus's counters, or null.</param>
    /// <param name="onDispose">Called once when the subscription is disposed (unsubscribes), or null.</param>
    /// <param name="inline">
    /// Whether a parked reader resumes on the thread that ends a run of appends (<see cref="EndAppends"/>): true only for
    /// a transport whose receive thread of its own fills the ring (<see cref="SubscriptionOptions.InlineDelivery"/>).
    /// </param>
    /// <param name="resumer">
    /// For a reader that is not inline: the thread it resumes on while that thread is free (else the thread pool), or
    /// null for the thread pool always.
    /// </param>
    public ChannelSubscription(string pattern, int queueSize, BusCounterSet? busCounters, Func<ChannelSubscription, ValueTask>? onDispose, bool inline = false, ResumeThread? resumer = null)
        : base(pattern, queueSize, busCounters, onDispose is null ? null : queue => onDispose((ChannelSubscription)queue))
    {
        _ring = new BoundedRing<Entry>(queueSize);
        Inline = inline;
        _resumer = inline ? null : resumer;
    }

    /// <summary>
    /// Whether a parked reader resumes on the filling thread, not on the resume thread or the thread pool (see the
    /// constructor).
    /// </summary>
    public bool Inline { get; }

    /// <inheritdoc />
    public override bool Append(BusEvent evt)
    {
        lock (Gate)
        {
            if (!AppendLocked(evt))
            {
                return false;
            }
        }

        BusActivities.OnDelivered(evt, Pattern);
        return true;
    }

    /// <summary>
    /// Between <see cref="SubscriptionQueue.BeginAppends"/> and <see cref="SubscriptionQueue.EndAppends"/>:
    /// <see cref="Append"/> without the lock, for an event that carries no trace (a traced one would start its
    /// activity, and run its listeners, under the lock).
    /// </summary>
    public bool AppendHeld(BusEvent evt)
    {
        Debug.Assert(evt.TraceParent is null, "A traced event is appended with Append, outside the lock.");
        return AppendLocked(evt);
    }

    private bool AppendLocked(BusEvent evt)
    {
        if (IsDisposed)
        {
            return false;
        }

        var (lost, gap) = QueuedLocked();
        if (_ring.IsFull)
        {
            ref readonly var oldest = ref _ring.Head;
            DroppedLocked(oldest.LostBefore, oldest.MayHaveMissed);
            _ring.PopHead(clear: true);
        }

        _ring.NextSlot() = new Entry(evt, lost, gap);
        _ring.CommitPush();
        AfterAppendLocked();
        return true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Hands the first parked reader its event in the run's own hold; only a second parked reader (two enumerations of
    /// one subscription) takes the lock again, for its own event. Each reader is completed with no lock held: an
    /// <see cref="Inline"/> one resumes on this thread, and its consumer may call back into the subscription.
    /// </remarks>
    public override void EndAppends()
    {
        while (true)
        {
            Reader? reader;
            BusEvent? next;
            (long, long) counts;
            bool more;
            try
            {
                counts = TakeUncountedLocked();
                reader = ClaimParkedLocked(out next);
                more = _parked.Count > 0;
            }
            finally
            {
                Gate.Exit();
            }

            Count(counts);
            if (reader is null)
            {
                return;
            }

            if (_resumer is null || !reader.TryCompleteOn(_resumer, next))
            {
                reader.Complete(next, Inline);
            }

            if (!more)
            {
                return;
            }

            Gate.Enter();
        }
    }

    public IAsyncEnumerator<BusEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Reader(this, cancellationToken);

    /// <inheritdoc />
    protected override void OnDisposed()
    {
        Reader[] parked;
        lock (Gate)
        {
            _ring.Clear();
            OnTakenLocked();
            parked = [.. _parked];
            _parked.Clear();
        }

        foreach (var reader in parked)
        {
            reader.Complete(null, inline: false);
        }
    }

    /// <inheritdoc />
    protected override int QueuedCountLocked => _ring.Count;

    /// <summary>The next event for <paramref name="reader"/>: at once when queued, else once a batch arrives.</summary>
    private ValueTask<bool> MoveNext(Reader reader, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (long, long) counts;
        bool taken;
        var parked = false;
        lock (Gate)
        {
            counts = TakeUncountedLocked();
            taken = TryTakeLocked(out var next);
            if (taken)
            {
                reader.Current = next!;
            }
            else if (!IsDisposed)
            {
                reader.Park();
                _parked.Add(reader);
                parked = true;
            }
        }

        Count(counts);
        return parked ? reader.Pending(cancellationToken) : new ValueTask<bool>(taken);
    }

    /// <summary>Takes <paramref name="reader"/> off the parked list; false when a batch or disposal got to it first.</summary>
    private bool Unpark(Reader reader)
    {
        lock (Gate)
        {
            return _parked.Remove(reader);
        }
    }

    /// <summary>Under the lock: the first parked reader and the event it gets, taken off the ring; null when none waits or the ring is empty.</summary>
    private Reader? ClaimParkedLocked(out BusEvent? next)
    {
        next = null;
        if (_parked.Count == 0 || !TryTakeLocked(out next))
        {
            return null;
        }

        var reader = _parked[0];
        _parked.RemoveAt(0);
        return reader;
    }

    private bool TryTakeLocked(out BusEvent? evt)
    {
        if (_ring.Count == 0)
        {
            evt = null;
            return false;
        }

        var entry = _ring.Head;
        _ring.PopHead(clear: true);
        OnTakenLocked();
        var (lost, gap) = ReadLocked(entry.LostBefore, entry.MayHaveMissed);
        evt = lost == 0 && !gap ? entry.Event : entry.Event.WithLosses(lost, gap);
        return true;
    }

    /// <summary>A queued event and the losses it reports (a struct: lossless delivery allocates nothing extra).</summary>
    private readonly record struct Entry(BusEvent Event, long LostBefore, bool MayHaveMissed);
}
