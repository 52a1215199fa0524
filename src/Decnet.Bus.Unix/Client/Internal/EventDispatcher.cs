using System.Buffers;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// Hands a read's worth of EVT and LOST frames to the subscriptions they name, waking each on its first event of the
/// read and again at the end of the read (<see cref="EndOfRead"/>) only if more came after that, and lists those left
/// more than half full (<see cref="Behind"/>). An enumerable subscription gets one <see cref="BusEvent"/>
/// shared by every subscription it reaches, owning one copy of the payload; a handler subscription copies the bytes
/// into its own ring and no object is created. Used by one receive loop; not thread-safe.
/// </summary>
internal sealed class EventDispatcher(Func<uint, ClientSubscription?> findSubscription, ILogger logger, bool waitsForCatchUp)
{
    private readonly RecentStrings _topics = new();
    private readonly RecentStrings _types = new();
    private readonly EventSlab _slab = new();
    private readonly List<uint> _sids = new(4);
    private readonly List<(uint Sid, long Count)> _lost = [];
    private readonly List<SubscriptionQueue> _touched = [];

    /// <summary>
    /// Whether the receive loop should stop its read after the frame just handled: it left a subscription behind
    /// (docs/Service-Bus.md, "Catch-up waits"), so the rest of the read waits until that one has caught up.
    /// </summary>
    public bool ShouldPause { get; private set; }

    /// <summary>Subscriptions the last read left behind, for the receive loop to wait on (<see cref="CatchUpWait"/> empties it).</summary>
    public List<ICatchUpTarget> Behind { get; } = [];

    /// <summary>Queues one EVT on each subscription it names (no wake-up yet). An undecodable one is logged and dropped.</summary>
    public void Deliver(ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment && TryDeliver(body.FirstSpan))
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
            // One undecodable event is dropped; the stream stays in sync because framing is intact.
            ClientLog.BadFrame(logger, ex.Message);
            return;
        }

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
    /// takes it).
    /// </summary>
    public bool TryDeliver(ReadOnlySpan<byte> body)
    {
        if (!EvtSpanDecoder.TryScan(body, _sids, _topics, _types, out var fields))
        {
            return false;
        }

        Deliver(fields);
        return true;
    }

    /// <summary>
    /// Hands the broker's drop counts to each subscription; its next event reports them. Every EVT that follows this
    /// frame is newer than the events it counts (docs/wire-protocol.md, LOST).
    /// </summary>
    public void ReportLost(ReadOnlySequence<byte> body)
    {
        FrameDecoder.ReadLost(body, _lost);
        foreach (var (sid, count) in _lost)
        {
            findSubscription(sid)?.Queue.AddLostBeforeNext(count);
        }
    }

    /// <summary>The read is handled: wakes every subscription that got events after its first wake-up of this read.</summary>
    public void EndOfRead()
    {
        foreach (var queue in _touched)
        {
            queue.AwaitsWake = false;

            // The first event's wake-up (Touch) covered a subscription that got nothing after it, as each of W4's
            // 10,000 literals does; one whose last append did not leave it behind has only shrunk since. Each skips a
            // lock per subscription per read (an excuse that ends meanwhile is seen at the next append).
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

    private void Deliver(scoped in EvtFields fields)
    {
        BusEvent? shared = null;
        foreach (var sid in _sids)
        {
            if (findSubscription(sid)?.Queue is not { } queue)
            {
                continue;
            }

            if (queue is HandlerSubscription handler && !fields.IdNil)
            {
                // The read's first event for it wakes it in the append's own lock.
                var first = !queue.AwaitsWake;
                if (handler.AppendCopy(fields.Topic, fields.Type ?? string.Empty, fields.IdUtf8, fields.Timestamp, fields.Publisher, fields.Payload, wake: first))
                {
                    Touch(queue, woken: first);
                }
            }
            else if (queue.Append(shared ??= fields.ToEvent(_slab)))
            {
                Touch(queue);
            }
        }
    }

    private void Touch(SubscriptionQueue queue, bool woken = false)
    {
        ShouldPause |= waitsForCatchUp && queue.LeftBehind;
        if (!queue.AwaitsWake)
        {
            queue.AwaitsWake = true;
            _touched.Add(queue);

            // A consumer parked since the previous read starts on this read's first event instead of after its last:
            // it drains while the rest of the read is queued, so a full read cannot overflow its queue meanwhile.
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
