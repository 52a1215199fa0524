using System.Buffers;
using System.Runtime.InteropServices;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// Hands a read's worth of EVT and LOST frames to the subscriptions they name and lists those left more than half full
/// (<see cref="Behind"/>). Consecutive events for one subscription are queued under one hold of its lock, let go every
/// <see cref="HeldRunLength"/> events (or a quarter of its queue, when fewer) and when the run ends
/// (<see cref="EndRun"/>); each letting go wakes its consumer. The end of the read (<see cref="EndOfRead"/>) wakes only
/// those that got events after their last wake-up. An enumerable subscription gets one <see cref="BusEvent"/> shared by
/// every subscription it reaches, owning one copy of the payload; a handler subscription copies the bytes into its own
/// ring and no object is created, or, with inline delivery, has its handler called here. With inline delivery an
/// enumerable subscription's waiting consumer resumes here too, inside a wake-up (<see cref="EndRun"/>, <see cref="Touch"/>,
/// <see cref="EndOfRead"/>): so every wake-up and inline call happens with no subscription's lock held and this
/// dispatcher's state settled (the run's <c>_held</c> cleared first), since user code runs inside it and may call the
/// bus back. An EVT it cannot decode is dropped and handed to <c>onMalformed</c> with the reason, which counts and
/// logs it (<see cref="ClientConnection"/>). Used by one receive loop; not thread-safe.
/// </summary>
internal sealed class EventDispatcher(Func<uint, ClientSubscription?> findSubscription, Action<string> onMalformed, bool waitsForCatchUp)
{
    /// <summary>
    /// Appends per hold of a subscription's lock, at most (and at most a quarter of its queue): long enough that the
    /// lock is taken once per run rather than once per event, short enough that a consumer waiting to take is not held
    /// up for long and a small queue is not overrun before its consumer is woken (128 measured no better;
    /// docs/performance-history-2.md, part 11).
    /// </summary>
    internal const int HeldRunLength = 32;

    /// <summary>The largest split EVT joined into one buffer; a larger one is decoded from its segments.</summary>
    internal const int JoinedBytes = 16 * 1024;

    /// <summary>Sid lists up to this long are checked for repeats by scanning; longer ones with a set.</summary>
    private const int _scannedSids = 16;

    /// <summary>The most distinct sids whose set is kept for reuse (the broker's default subscription limit).</summary>
    private const int _keptSeenSids = 1024;

    private readonly RecentStrings _topics = new();
    private readonly RecentStrings _types = new();
    private readonly EventSlab _slab = new();
    private readonly List<uint> _sids = new(4);
    private readonly List<(uint Sid, long Count)> _lost = [];
    private readonly List<SubscriptionQueue> _touched = [];
    private byte[]? _joined;
    private HashSet<uint>? _seenSids;

    // The subscription whose lock this loop holds for a run of appends, and how many more appends this hold may take.
    private SubscriptionQueue? _held;
    private int _heldLeft;

    /// <summary>
    /// Whether the receive loop should stop its read after the frame just handled: it left a subscription behind
    /// (docs/Service-Bus.md, "Catch-up waits"), so the rest of the read waits until that one has caught up.
    /// </summary>
    public bool ShouldPause { get; private set; }

    /// <summary>Subscriptions the last read left behind, for the receive loop to wait on (<see cref="CatchUpWait"/> empties it).</summary>
    public List<ICatchUpTarget> Behind { get; } = [];

    /// <summary>
    /// Queues one EVT on each subscription it names and wakes their consumers; drops and reports an undecodable one.
    /// </summary>
    public void Deliver(ReadOnlySequence<byte> body)
    {
        var queued = body.IsSingleSegment ? TryDeliver(body.FirstSpan) : TryDeliverJoined(body);
        EndRun();
        if (queued)
        {
            return;
        }

        BusEvent evt;
        try
        {
            evt = FrameDecoder.ReadEventGeneral(body, _sids, _topics, _types);
        }
        catch (ProtocolException ex)
        {
            // One undecodable event is dropped; the stream stays in sync because framing is intact. Only this path,
            // already failing, pays for the report.
            onMalformed(ex.Message);
            return;
        }

        DropRepeatedSids();

        foreach (var sid in _sids)
        {
            if (findSubscription(sid)?.Queue is { } queue && queue.Append(evt))
            {
                Touch(queue);
            }
        }
    }

    /// <summary>
    /// Queues one EVT read straight from the receive buffer, as <see cref="Deliver(ReadOnlySequence{byte})"/> does; false,
    /// with nothing queued, when it is not in the form <see cref="EvtSpanDecoder"/> reads (the general decoder then
    /// takes it). One the scan refuses (a payload nested too deep) is dropped and reported here, and counts as handled.
    /// </summary>
    public bool TryDeliver(ReadOnlySpan<byte> body)
    {
        EvtFields fields;
        try
        {
            if (!EvtSpanDecoder.TryScan(body, _sids, _types, out fields))
            {
                return false;
            }
        }
        catch (ProtocolException ex)
        {
            // As on the general path: one malformed event is dropped, framing is intact, the connection reads on.
            onMalformed(ex.Message);
            return true;
        }

        DropRepeatedSids();
        Deliver(fields);
        return true;
    }

    /// <summary>
    /// <see cref="TryDeliver"/> for an EVT split across the receive buffer's segments (one per 64 KiB segment of a busy
    /// read), joined in a buffer this dispatcher keeps: without it each such event was decoded into a new
    /// <see cref="BusEvent"/> and, for an inline handler, queued instead of handled (docs/performance-history-3.md, part 15).
    /// Every subscription copies what it keeps, so the buffer is free again on return.
    /// </summary>
    private bool TryDeliverJoined(ReadOnlySequence<byte> body)
    {
        if (body.Length > JoinedBytes)
        {
            return false;
        }

        var joined = _joined ??= new byte[JoinedBytes];
        body.CopyTo(joined);
        return TryDeliver(joined.AsSpan(0, (int)body.Length));
    }

    /// <summary>
    /// Hands the broker's drop counts to each subscription; its next event reports them. Every EVT that follows this
    /// frame is newer than the events it counts (docs/wire-protocol.md, LOST).
    /// </summary>
    public void ReportLost(ReadOnlySequence<byte> body)
    {
        EndRun();
        FrameDecoder.ReadLost(body, _lost);
        foreach (var (sid, count) in _lost)
        {
            findSubscription(sid)?.Queue.AddLostBeforeNext(count);
        }
    }

    /// <summary>
    /// Ends a run of events queued with <see cref="TryDeliver"/>: lets go of the lock held for the last subscription's
    /// appends and wakes its consumer. The receive loop calls it before it handles any other frame.
    /// </summary>
    public void EndRun()
    {
        if (_held is { } held)
        {
            _held = null;
            held.AppendedSinceWake = false;
            held.EndAppends();
        }
    }

    /// <summary>The read is handled: wakes every subscription that got events after its last wake-up of this read.</summary>
    public void EndOfRead()
    {
        EndRun();
        foreach (var queue in _touched)
        {
            queue.AwaitsWake = false;

            // A run's wake-up (EndRun, or Touch's on the first event outside a run) covered a subscription that got
            // nothing after it, as each of W4's 10,000 literals does; one whose last append did not leave it behind has
            // only shrunk since. Each skips a lock per subscription per read (an excuse that ends meanwhile is seen at
            // the next append).
            if (queue.AppendedSinceWake)
            {
                queue.AppendedSinceWake = false;
                queue.Wake();
            }

            if (waitsForCatchUp && queue.LeftBehind && queue.IsBehind())
            {
                Behind.Add(queue);
            }
        }

        _touched.Clear();
        ShouldPause = false;
    }

    /// <summary>
    /// Keeps the first of each sid the EVT lists: the broker names each matching sid once (docs/wire-protocol.md §3),
    /// and one that repeats a sid must not hand that subscription the event, and count it, more than once.
    /// </summary>
    private void DropRepeatedSids()
    {
        var count = _sids.Count;
        if (count < 2)
        {
            return;
        }

        var sids = CollectionsMarshal.AsSpan(_sids);
        var seen = count > _scannedSids ? _seenSids ??= [] : null;
        seen?.Add(sids[0]);
        var kept = 1;
        for (var i = 1; i < count; i++)
        {
            var sid = sids[i];
            if (seen?.Add(sid) ?? !sids[..kept].Contains(sid))
            {
                sids[kept++] = sid;
            }
        }

        if (seen is { Count: > _keptSeenSids })
        {
            // Grown past any real subscription count (a hostile list): not kept for the next event.
            _seenSids = null;
        }
        else
        {
            seen?.Clear();
        }

        _sids.RemoveRange(kept, count - kept);
    }

    private void Deliver(scoped in EvtFields fields)
    {
        BusEvent? shared = null;
        string? topic = null;
        foreach (var sid in _sids)
        {
            if (findSubscription(sid) is not { } subscription)
            {
                continue;
            }

            // One string for every subscription the event reaches: a literal's own pattern, whichever of the event's
            // subscriptions it is (W4's 10,000 topics in turn then make none, with a wildcard listed first too), else
            // the connection's string for those bytes (the last one's, or one kept in RecentStrings' table), else a new one.
            topic ??= subscription.TopicFor(fields.TopicUtf8) ?? LiteralTopic(fields.TopicUtf8) ?? _topics.Get(fields.TopicUtf8);
            var queue = subscription.Queue;
            if (queue is HandlerSubscription handler && !fields.IdNil)
            {
                // A run this loop holds on it means its queue has events, so it cannot take this one inline.
                if (!handler.Inline || ReferenceEquals(_held, handler) || !HandleInline(handler, topic, fields))
                {
                    AppendHeld(handler, topic, fields);
                }
            }
            else if (queue is ChannelSubscription channel && (shared ??= fields.ToEvent(topic, _slab)).TraceParent is null)
            {
                AppendHeld(channel, shared);
            }
            else
            {
                EndRun();
                if (queue.Append(shared ??= fields.ToEvent(topic, _slab)))
                {
                    Touch(queue);
                }
            }
        }
    }

    /// <summary>
    /// The pattern of one of the event's literal subscriptions that names <paramref name="topicUtf8"/>, if any. Called
    /// for the first sid that has a subscription; from the second sid on, since the first either is that subscription
    /// or has none (re-checking one is harmless). Only multi-sid events loop at all.
    /// </summary>
    private string? LiteralTopic(ReadOnlySpan<byte> topicUtf8)
    {
        for (var i = 1; i < _sids.Count; i++)
        {
            if (findSubscription(_sids[i])?.TopicFor(topicUtf8) is { } literal)
            {
                return literal;
            }
        }

        return null;
    }

    /// <summary>
    /// Calls an inline subscription's handler on this thread (<see cref="HandlerSubscription.TryHandleInline"/>), with no
    /// lock of this loop held; false when the event must be queued instead.
    /// </summary>
    private bool HandleInline(HandlerSubscription handler, string topic, scoped in EvtFields fields)
    {
        EndRun();
        return handler.TryHandleInline(topic, fields.Type ?? string.Empty, fields.IdUtf8, fields.Timestamp, fields.Publisher, fields.Payload);
    }

    /// <summary>Queues a handler subscription's copy of the event under the lock this loop holds for the run.</summary>
    private void AppendHeld(HandlerSubscription handler, string topic, scoped in EvtFields fields)
    {
        Hold(handler);
        Held(handler, handler.AppendCopyHeld(topic, fields.Type ?? string.Empty, fields.IdUtf8, fields.Timestamp, fields.Publisher, fields.Payload));
    }

    /// <summary>Queues the event on an enumerable subscription under the lock this loop holds for the run.</summary>
    private void AppendHeld(ChannelSubscription channel, BusEvent evt)
    {
        Hold(channel);
        Held(channel, channel.AppendHeld(evt));
    }

    /// <summary>Makes <paramref name="queue"/> the one whose lock this loop holds, ending the run of any other.</summary>
    private void Hold(SubscriptionQueue queue)
    {
        if (!ReferenceEquals(_held, queue))
        {
            EndRun();
            queue.BeginAppends();
            _held = queue;
            _heldLeft = Math.Min(HeldRunLength, Math.Max(1, queue.QueueSize / 4));
        }
    }

    /// <summary>
    /// After a held append: notes the queue touched (the run's end wakes it, in the same lock) and counts the append,
    /// letting the lock go after <see cref="HeldRunLength"/> (or a quarter of the queue) so the consumer can take
    /// meanwhile.
    /// </summary>
    private void Held(SubscriptionQueue queue, bool appended)
    {
        if (appended)
        {
            Touch(queue, woken: true);
        }

        if (--_heldLeft == 0)
        {
            EndRun();
        }
    }

    private void Touch(SubscriptionQueue queue, bool woken = false)
    {
        ShouldPause |= waitsForCatchUp && queue.LeftBehind;
        if (!queue.AwaitsWake)
        {
            queue.AwaitsWake = true;
            _touched.Add(queue);

            // Outside a run (an event queued with Append), a consumer parked since the previous read starts on this
            // read's first event instead of after its last: it drains while the rest of the read is queued, so a full
            // read cannot overflow its queue meanwhile. A run wakes it at its end, at most a quarter of the queue later.
            if (!woken)
            {
                queue.Wake();
            }
        }
        else
        {
            queue.AppendedSinceWake = true;
        }
    }
}
