using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// What one broker connection has to send, and its writer: events in a bounded drop-oldest lane (count and bytes,
/// every drop counted), control replies (WELCOME, SUBACK, PONG, STATS, ERR) in a lane that is never dropped but is
/// bounded too (a client that lets more than <see cref="BrokerLimits.MaxControlBacklog"/> frames or
/// <see cref="BrokerLimits.MaxControlBytes"/> bytes of replies pile up unwritten is cut with ERR 9, docs/wire-protocol.md,
/// "Control replies"), LOST reports, and the final frame (BYE or ERR) after which the socket half-closes.
/// </summary>
internal sealed partial class OutboundQueue : IDisposable
{
    private readonly BrokerHub _hub;
    private readonly CancellationTokenSource _abort;
    private readonly Lock _gate = new();
    private readonly EventQueue _events = new();
    private readonly ControlLane _control;

    // Events dropped per sid since the last batch was taken, for a client that asked for LOST frames (HELLO
    // report_lost). Only touched when an event is dropped. Bounded by the sids the dropped events carried: live
    // subscriptions plus those re-used since the last batch, and every SUB costs a SUBACK in the bounded control lane.
    private Dictionary<uint, long>? _lost;
    private long _queuedBytes;

    // Events ever queued, and ever taken out (written, dropped or discarded): in minus out is the queue length, readable
    // without the lock, and a reply that must not overtake queued events waits until out reaches its mark.
    private long _eventsIn;
    private long _eventsOut;

    private byte[]? _finalFrame;
    private bool _closing;
    private long _delivered;
    private long _dropped;

    /// <param name="socket">The connection's socket, which <see cref="Writer"/> writes.</param>
    /// <param name="hub">The broker: its limits and its total of queued bytes.</param>
    /// <param name="time">The clock of the stall timeout.</param>
    /// <param name="abort">The connection's abort, cancelled when an inline write finds the socket broken.</param>
    public OutboundQueue(Socket socket, BrokerHub hub, TimeProvider time, CancellationTokenSource abort)
    {
        _hub = hub;
        _abort = abort;
        QueueSize = hub.Limits.QueueSize;
        _control = new ControlLane(hub.Limits.MaxControlBacklog, hub.Limits.MaxControlBytes);
        Writer = new SocketWriter(socket, this, hub.Limits.StallTimeout, time, releaseWhenParked: true);
    }

    /// <summary>The one writer of the connection's socket, draining this queue.</summary>
    public SocketWriter Writer { get; }

    /// <summary>The event bound: the broker's default until HELLO asks for another.</summary>
    public int QueueSize
    {
        get;
        set
        {
            field = value;

            // Decided once here, not per event: whether publishers wait for this queue, and how often they look.
            _waitedFor = value >= Math.Min(_hub.Limits.QueueSize, DefaultWaitedQueue);
            _catchUpStep = _waitedFor ? Math.Max(1, value / 4) : int.MaxValue;
        }
    }

    /// <summary>Whether the client asked (HELLO <c>report_lost</c>) to be told which subscriptions lost events.</summary>
    public bool ReportsLost { get; set; }

    /// <summary>Bytes of events queued here (what the broker-wide bound sheds from the largest holder first).</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Events queued, read without the lock (in minus out).</summary>
    public int Queued => (int)Math.Max(0, Volatile.Read(ref _eventsIn) - Volatile.Read(ref _eventsOut));

    /// <summary>Events ever queued here.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events ever dropped here (oldest first, or untranslatable for a Python client).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether the stream is ending (the final frame is queued, or the connection is disposed).</summary>
    public bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing;
            }
        }
    }

    /// <summary>Counts events this connection lost after they were taken (a Python client's untranslatable ones).</summary>
    public void CountDropped(int count) => Interlocked.Add(ref _dropped, count);

    /// <summary>
    /// Queues the EVT frames a publishing connection staged for this one during a read, under one lock, dropping the
    /// oldest queued events whenever the count or byte bound is hit, exactly as if they had come one at a time. Returns
    /// how many were dropped; <paramref name="queued"/> how many went in (none once the queue is closing);
    /// <paramref name="flush"/> says the caller must flush or wake this queue's writer once its
    /// read is done (<see cref="FlushOrWake"/>); <paramref name="behind"/> that the caller may wait for this queue to
    /// catch up before its next read (<see cref="CatchUpTask"/>).
    /// </summary>
    public int AppendStaged(EventStaging staging, out int queued, out bool flush, out bool behind)
    {
        var dropped = 0;
        var delta = 0L;
        var frames = staging.Bytes;
        var lengths = staging.Lengths;
        var maxBytes = _hub.Limits.MaxQueueBytes;
        lock (_gate)
        {
            if (_closing)
            {
                queued = 0;
                flush = false;
                behind = false;
                return 0;
            }

            queued = lengths.Length;
            var incoming = staging.WrittenBytes + ((long)lengths.Length * EventQueue.SlotBytes);
            if (_events.Count + lengths.Length <= QueueSize && _queuedBytes + incoming <= maxBytes)
            {
                // The common case: everything fits, one copy.
                _events.AppendAll(frames, lengths);
                delta = incoming;
            }
            else
            {
                var lost = ReportsLost ? (_lost ??= []) : null;
                foreach (var length in lengths)
                {
                    var bytes = length + EventQueue.SlotBytes;
                    while (_events.Count > 0 && (_events.Count >= QueueSize || _queuedBytes + delta + bytes > maxBytes))
                    {
                        delta -= _events.DropOldest(lost);
                        _eventsOut++;
                        dropped++;
                    }

                    _events.Append(frames[..length]);
                    frames = frames[length..];
                    delta += bytes;
                }
            }

            _queuedBytes += delta;
            _eventsIn += lengths.Length;

            // Wake only a parked send loop, once: one flush per batch, not one wake-up per event.
            flush = Writer.ClaimWakeLocked();
            behind = BehindLocked();
        }

        _hub.AddQueuedBytes(delta);
        Interlocked.Add(ref _delivered, lengths.Length);
        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
        }

        return dropped;
    }

    /// <summary>
    /// Stops accepting events, then sends what is queued (or discards the events: a protocol violation), then
    /// <paramref name="finalFrame"/>, then half-closes. Only the first call counts.
    /// </summary>
    public void BeginClose(byte[] finalFrame, bool discardEvents)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _finalFrame = finalFrame;
            if (discardEvents)
            {
                DiscardEventsLocked();
            }
        }

        Writer.Ring();
    }

    /// <summary>Queues a control frame. A <paramref name="barrier"/> frame (PONG) leaves after every event queued before it.</summary>
    public void EnqueueControl(byte[] frame, bool barrier = false)
    {
        lock (_gate)
        {
            EnqueueControlLocked(frame, barrier);
        }

        Writer.Ring();
    }

    /// <summary>
    /// Queues a control frame this connection's own receive loop sends (a PONG, a <paramref name="barrier"/> that
    /// leaves after every event queued before it). True when the writer was parked and the
    /// caller now holds its wake-up: it must flush this queue (<see cref="FlushOrWake"/>), at the end of its read for a
    /// reply (<see cref="ReadBatch.FlushReplyAfterRead"/>); false when the send loop will take the frame anyway.
    /// </summary>
    public bool EnqueueAndClaim(byte[] frame, bool barrier)
    {
        lock (_gate)
        {
            EnqueueControlLocked(frame, barrier);
            return Writer.ClaimWakeLocked();
        }
    }

    /// <summary>
    /// Queues the idle probe's PING from the broker's sweep. Never throws: a control lane too full for it means the
    /// client is not reading, and silence after the probe cuts it anyway (ERR 10). Returns, as
    /// <see cref="EnqueueAndClaim"/> does, whether the caller must flush.
    /// </summary>
    public bool EnqueueProbe(byte[] frame)
    {
        lock (_gate)
        {
            if (_closing || !_control.HasRoom(frame.Length))
            {
                return false;
            }

            _control.Enqueue(frame, 0);
            return Writer.ClaimWakeLocked();
        }
    }

    /// <summary>Whether the calling thread holds this queue's lock (tests check lock order with it).</summary>
    internal bool LockHeldByCurrentThread => _gate.IsHeldByCurrentThread;

    /// <summary>
    /// Runs <paramref name="beforeQueuing"/> and queues <paramref name="frame"/> under the queue lock: a SUBACK whose
    /// route goes in first, so an event routed through the new route is queued after the SUBACK and the client never
    /// sees an EVT for a subscription before its SUBACK (which is what counts a reconnect).
    /// </summary>
    public void EnqueueControlAfter(Action beforeQueuing, byte[] frame)
    {
        lock (_gate)
        {
            beforeQueuing();
            EnqueueControlLocked(frame, barrier: false);
        }

        Writer.Ring();
    }

    /// <summary>
    /// Queues the ERR answering a refused request. A publisher can provoke a refusal per PUB, faster than the answers
    /// are written: their ERRs may fill half the control lane, never all of it, so refused publishes alone never end the
    /// connection with ERR 9. Beyond that a refused PUB is counted (STATS rejections) but not answered
    /// (docs/wire-protocol.md §6).
    /// </summary>
    public void EnqueueRefusal(byte[] frame, bool forPublish)
    {
        lock (_gate)
        {
            if (forPublish && !_control.HasRoomForRefusal(frame.Length))
            {
                return;
            }

            EnqueueControlLocked(frame, barrier: false);
        }

        Writer.Ring();
    }

    /// <summary>
    /// Queues a STATS reply. While an earlier one is still unwritten, the new one is that same snapshot (one STATS in
    /// flight per connection), so a client that asks and never reads pins one snapshot, not one per request. Only the
    /// connection's receive loop calls this, so the snapshot in flight cannot appear meanwhile; the (rare) rebuild by
    /// <paramref name="build"/> runs outside the lock. Returns, as <see cref="EnqueueAndClaim"/> does, whether the caller
    /// must flush this queue once its read is done.
    /// </summary>
    public bool EnqueueStatsReply(Func<byte[]> build)
    {
        byte[]? shared;
        lock (_gate)
        {
            shared = _control.StatsInFlight;
        }

        var frame = shared ?? build();
        lock (_gate)
        {
            if (!_closing)
            {
                _control.EnqueueStats(frame, _eventsIn);
            }

            return Writer.ClaimWakeLocked();
        }
    }

    /// <summary>
    /// Drops the oldest queued events until <paramref name="bytes"/> are freed or none is left (the broker-wide bound is
    /// exceeded and this queue holds the most). Returns how many were dropped; they count as dropped.
    /// </summary>
    public int ShedOldest(long bytes)
    {
        var dropped = 0;
        var freed = 0L;
        lock (_gate)
        {
            while (freed < bytes && _events.Count > 0)
            {
                var size = _events.DropOldest(ReportsLost ? (_lost ??= []) : null);
                _queuedBytes -= size;
                _eventsOut++;
                freed += size;
                dropped++;
            }

            // Shedding can bring the queue down to its catch-up mark: a publisher waiting on it goes on.
            OnEventsTakenLocked(0);
        }

        _hub.AddQueuedBytes(-freed);
        Interlocked.Add(ref _dropped, dropped);
        return dropped;
    }

    /// <summary>Ends the queue: nothing more is accepted, queued events are discarded, the writer drops its unsent tail.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            DiscardEventsLocked();
        }

        Writer.Dispose();
    }

    /// <summary>Queues a control frame; the caller holds the lock and rings the writer after releasing it.</summary>
    private void EnqueueControlLocked(byte[] frame, bool barrier)
    {
        if (_closing)
        {
            return;
        }

        _control.Enqueue(frame, barrier ? _eventsIn : 0);
    }

    private void DiscardEventsLocked()
    {
        _events.Clear();
        _hub.AddQueuedBytes(-_queuedBytes);
        _queuedBytes = 0;
        _eventsOut = _eventsIn;
        _catchUp.Release()?.TrySetResult();
    }
}
