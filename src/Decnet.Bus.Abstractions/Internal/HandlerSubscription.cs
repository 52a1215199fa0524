using Decnet.Bus.Tracing;

namespace Decnet.Bus.Internal;

/// <summary>
/// A subscription consumed by a <see cref="BusEventHandler"/> on a <see cref="DeliveryLoop"/>: a bounded drop-oldest
/// ring (exact counts, like <see cref="ChannelSubscription"/>) whose slots keep their byte buffers from lap to lap, so
/// a transport that copies an event in (<see cref="AppendCopyHeld"/>, or <see cref="AppendCopy"/> one at a time)
/// allocates nothing in steady state.
/// </summary>
/// <remarks>
/// The loop takes the oldest entry by swapping its buffer for a spare one under the lock: the handler then reads that
/// buffer while the transport keeps filling the ring, with no second copy.
/// </remarks>
internal sealed partial class HandlerSubscription : SubscriptionQueue, IBusHandlerSubscription
{
    /// <summary>Buffers up to this size are kept for reuse; a larger event's buffer is let go once handled.</summary>
    internal const int ReusedBufferBytes = 4096;

    private readonly DeliveryLoop _loop;
    private readonly CancellationTokenSource _disposing = new();
    private BoundedRing<Entry> _ring;
    private bool _scheduled;
    private long _failed;

    public HandlerSubscription(string pattern, int queueSize, BusEventHandler handler, DeliveryLoop loop, BusCounterSet? busCounters, Func<HandlerSubscription, ValueTask>? onDispose, bool inline = false)
        : base(pattern, queueSize, busCounters, onDispose is null ? null : queue => onDispose((HandlerSubscription)queue))
    {
        ArgumentNullException.ThrowIfNull(handler);
        Handler = handler;
        Inline = inline;
        _loop = loop;
        _ring = new BoundedRing<Entry>(queueSize);
    }

    public BusEventHandler Handler { get; }

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Cancelled when the subscription is disposed; handed to every handler call.</summary>
    public CancellationToken Disposing => _disposing.Token;

    /// <inheritdoc />
    public override bool Append(BusEvent evt)
    {
        lock (Gate)
        {
            if (!TryMakeRoomLocked(out var lost, out var gap))
            {
                return false;
            }

            ref var slot = ref _ring.NextSlot();
            slot = new Entry { Source = evt, Buffer = slot.Buffer, LostBefore = lost, MayHaveMissed = gap };
            _ring.CommitPush();
            AfterAppendLocked();
        }

        // Only events that carry a trace come this way on the Unix transport (a traced EVT is decoded in full).
        BusActivities.OnDelivered(evt, Pattern);
        return true;
    }

    /// <summary>
    /// Queues a copy of an event whose bytes the transport only borrows (a receive buffer), without waking the
    /// consumer (call <see cref="SubscriptionQueue.Wake"/> after the batch). The copy goes into the slot's own buffer, so
    /// steady state allocates nothing. False once disposed.
    /// </summary>
    public bool AppendCopy(string topic, string type, ReadOnlySpan<byte> idUtf8, double timestamp, PeerCredentials? publisher, ReadOnlySpan<byte> payload)
    {
        lock (Gate)
        {
            return AppendCopyHeld(topic, type, idUtf8, timestamp, publisher, payload);
        }
    }

    /// <summary>
    /// Between <see cref="SubscriptionQueue.BeginAppends"/> and <see cref="SubscriptionQueue.EndAppends"/> (or under
    /// the lock, from <see cref="AppendCopy"/>): queues the copy without a wake-up.
    /// </summary>
    public bool AppendCopyHeld(string topic, string type, ReadOnlySpan<byte> idUtf8, double timestamp, PeerCredentials? publisher, ReadOnlySpan<byte> payload)
    {
        if (!TryMakeRoomLocked(out var lost, out var gap))
        {
            return false;
        }

        ref var slot = ref _ring.NextSlot();
        slot.Buffer = CopyIn(slot.Buffer, idUtf8, payload);

        // Field by field, not `slot = new Entry { … }`: a whole-struct store with references goes through the
        // runtime's bulk copy with write barriers, 9 % of W4's subscriber (docs/performance-history.md, part 5).
        // A slot taken or shed had its references cleared (ClearReferences), so Source is already null.
        slot.Topic = topic;
        slot.Type = type;
        slot.Timestamp = timestamp;
        slot.Publisher = publisher;
        slot.IdLength = idUtf8.Length;
        slot.PayloadLength = payload.Length;
        slot.LostBefore = lost;
        slot.MayHaveMissed = gap;
        _ring.CommitPush();
        AfterAppendLocked();
        return true;
    }

    /// <inheritdoc />
    public override void EndAppends()
    {
        bool schedule;
        (long, long) counts;
        try
        {
            schedule = ClaimWakeLocked(out counts);
        }
        finally
        {
            Gate.Exit();
        }

        FinishWake(schedule, counts);
    }

    /// <summary>
    /// On the loop: takes the oldest event into <paramref name="delivery"/>, giving its slot <paramref name="spare"/>
    /// and taking the slot's buffer into <paramref name="spare"/> (the caller owns it until the handler is done).
    /// False when the ring is empty, which also unschedules it, atomically with the check.
    /// </summary>
    public bool TryTake(ref byte[]? spare, out BusDelivery delivery)
    {
        lock (Gate)
        {
            if (_ring.Count == 0 || IsDisposed)
            {
                UnscheduleLocked();
                delivery = default;
                return false;
            }

            TakeLocked(ref spare, out delivery);
            return true;
        }
    }

    /// <summary>
    /// On the loop: <see cref="TryTake"/> for up to <see cref="BatchSize"/> events under one lock, so the loop and
    /// the transport filling the ring meet once per batch, not once per event. Event i swaps buffers with
    /// <c>spares[i]</c>. Returns how many were taken. When the ring is left empty it is unscheduled in the same lock
    /// (<paramref name="drained"/>): the next append schedules it again, so a subscription that got one event costs
    /// the loop one take, not a second, empty one.
    /// </summary>
    public int TakeMany(BusDelivery[] deliveries, byte[]?[] spares, out bool drained)
    {
        lock (Gate)
        {
            // Until the turn ends (EndTurn), the events taken here are older than any the transport may hand inline.
            _inTurn = Inline;
            var taken = 0;
            var most = Math.Min(deliveries.Length, BatchSize);
            while (taken < most && _ring.Count > 0 && !IsDisposed)
            {
                TakeLocked(ref spares[taken], out deliveries[taken]);
                taken++;
            }

            drained = _ring.Count == 0 || IsDisposed;
            if (drained)
            {
                UnscheduleLocked();
            }

            return taken;
        }
    }

    /// <summary>
    /// Events the loop takes at a time: at most a quarter of the queue, so the events in the loop's hands plus those
    /// still queued stay within the queue's bound and its drop-oldest order (docs/dotnet-hosts.md, "Handler
    /// subscriptions").
    /// </summary>
    public int BatchSize => Math.Max(1, QueueSize / 4);

    /// <summary>A handler call threw.</summary>
    public void CountFailure() => Interlocked.Increment(ref _failed);

    /// <inheritdoc />
    protected override int QueuedCountLocked => _ring.Count;

    /// <inheritdoc />
    protected override void OnDisposed()
    {
        lock (Gate)
        {
            _ring.Clear();
            OnTakenLocked();
        }

        if (Inline)
        {
            EndCalls();
        }

        CancelHandler();
    }

    /// <inheritdoc />
    protected override async ValueTask AfterDisposedAsync()
    {
        // An inline call that began before the disposal and is still running on the receive thread: "no call after
        // DisposeAsync" holds only once it returns. Bounded as the loop bounds its wait for a handler.
        if (_disposeWaitsFor is { } call)
        {
            await call.WaitAsync(DeliveryLoop.StopBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void UnscheduleLocked()
    {
        _scheduled = false;
        OnTakenLocked();
    }

    private void TakeLocked(ref byte[]? spare, out BusDelivery delivery)
    {
        ref var head = ref _ring.Head;
        var entry = head;
        ClearReferences(ref head);
        head.Buffer = spare;
        _ring.PopHead(clear: false);
        OnTakenLocked();
        var (lost, gap) = ReadLocked(entry.LostBefore, entry.MayHaveMissed);
        spare = entry.Buffer;
        delivery = entry.Source is { } source
            ? new BusDelivery(source, lost, gap)
            : new BusDelivery(
                entry.Topic!,
                entry.Type!,
                entry.Buffer.AsMemory(0, entry.IdLength),
                entry.Timestamp,
                entry.Publisher,
                entry.Buffer.AsMemory(entry.IdLength, entry.PayloadLength),
                lost,
                gap);
    }

    private bool TryMakeRoomLocked(out long lost, out bool gap)
    {
        if (IsDisposed)
        {
            (lost, gap) = (0, false);
            return false;
        }

        (lost, gap) = QueuedLocked();
        if (_ring.IsFull)
        {
            ref var oldest = ref _ring.Head;
            DroppedLocked(oldest.LostBefore, oldest.MayHaveMissed);

            // The slot keeps its buffer: a full ring's next slot is this one, and reuses it.
            ClearReferences(ref oldest);
            _ring.PopHead(clear: false);
        }

        return true;
    }

    /// <summary>
    /// Under the subscription's lock: counts not yet added to the bus counters, and whether the caller must schedule this
    /// subscription on the loop (it has events, is not disposed and was not scheduled; it now counts as scheduled).
    /// </summary>
    private bool ClaimWakeLocked(out (long, long) counts)
    {
        counts = TakeUncountedLocked();
        var schedule = !_scheduled && _ring.Count > 0 && !IsDisposed;
        _scheduled |= schedule;
        return schedule;
    }

    /// <summary>Outside the lock: adds the counts <see cref="ClaimWakeLocked"/> took and schedules if it said so.</summary>
    private void FinishWake(bool schedule, (long, long) counts)
    {
        Count(counts);
        if (schedule)
        {
            _loop.Schedule(this);
        }
    }

    /// <summary>
    /// Copies an event's id and then its payload into <paramref name="buffer"/>, or into a new, larger one when it is
    /// missing or too small; returns the buffer that holds them.
    /// </summary>
    private static byte[] CopyIn(byte[]? buffer, ReadOnlySpan<byte> idUtf8, ReadOnlySpan<byte> payload)
    {
        var need = idUtf8.Length + payload.Length;
        if (buffer is null || buffer.Length < need)
        {
            buffer = new byte[Math.Max(need, 256)];
        }

        idUtf8.CopyTo(buffer);
        payload.CopyTo(buffer.AsSpan(idUtf8.Length));
        return buffer;
    }

    /// <summary>Forgets a slot's references but its buffer (stores of null need no write barrier).</summary>
    private static void ClearReferences(ref Entry slot)
    {
        slot.Source = null;
        slot.Topic = null;
        slot.Type = null;
        slot.Publisher = null;
    }

    /// <summary>A queued event: a transport's <see cref="BusEvent"/>, or a copy in <see cref="Buffer"/> (id, then payload).</summary>
    private struct Entry
    {
        public BusEvent? Source;
        public string? Topic;
        public string? Type;
        public double Timestamp;
        public PeerCredentials? Publisher;
        public byte[]? Buffer;
        public int IdLength;
        public int PayloadLength;
        public long LostBefore;
        public bool MayHaveMissed;
    }
}
