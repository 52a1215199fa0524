using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Decnet.Bus.Tracing;

namespace Decnet.Bus.Internal;

/// <summary>
/// A subscription backed by a bounded drop-oldest channel. Transports deliver with <see cref="TryDeliver"/> (never
/// blocks); the consumer enumerates. Shared by FakeBus and the Unix client so both count and drop identically, and
/// both report losses on the next delivered event (<see cref="BusEvent.MissedBefore"/>,
/// <see cref="BusEvent.MayHaveMissed"/>).
/// </summary>
/// <remarks>
/// Losses travel in two steps, so each is reported on the first event that follows it and never on an earlier one.
/// Losses the transport learns of before an event arrives (a broker's report, a reconnect) wait in
/// <c>_lostBeforeNext</c>/<c>_gapBeforeNext</c> and ride on the next queued entry. An entry dropped from the full queue
/// hands its own loss, plus what it carried, to <c>_lostUnread</c>/<c>_gapUnread</c>, which the next read takes:
/// drop-oldest only ever removes the head, so everything dropped is older than what is read next.
/// </remarks>
internal sealed class ChannelSubscription : IBusSubscription
{
    private readonly Channel<Entry> _channel;
    private readonly BusCounterSet? _busCounters;
    private Func<ChannelSubscription, ValueTask>? _onDispose;
    private long _received;
    private long _dropped;
    private long _reconnected;
    private long _lostBeforeNext;
    private int _gapBeforeNext;
    private long _lostUnread;
    private int _gapUnread;
    private int _disposed;

    public ChannelSubscription(string pattern, int queueSize, BusCounterSet? busCounters, Func<ChannelSubscription, ValueTask>? onDispose)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueSize, 1);
        Pattern = pattern;
        QueueSize = queueSize;
        _busCounters = busCounters;
        _onDispose = onDispose;
        _channel = Channel.CreateBounded<Entry>(
            new BoundedChannelOptions(queueSize)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnItemDropped);
    }

    public string Pattern { get; }

    public int QueueSize { get; }

    public long Received => Volatile.Read(ref _received);

    public long Dropped => Volatile.Read(ref _dropped);

    public long Reconnected => Volatile.Read(ref _reconnected);

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Transport-owned state (for example a wire subscription id).</summary>
    public object? State { get; set; }

    /// <summary>Queues <paramref name="evt"/>, dropping the oldest queued event when full. Returns false once disposed.</summary>
    public bool TryDeliver(BusEvent evt)
    {
        if (IsDisposed)
        {
            return false;
        }

        // Count before writing: the write may synchronously drop the oldest, and Received must never trail Dropped.
        Interlocked.Increment(ref _received);
        var entry = new Entry(evt, 0, false);
        if ((Volatile.Read(ref _lostBeforeNext) | (long)Volatile.Read(ref _gapBeforeNext)) != 0)
        {
            entry = new Entry(evt, Interlocked.Exchange(ref _lostBeforeNext, 0), Interlocked.Exchange(ref _gapBeforeNext, 0) != 0);
        }

        if (!_channel.Writer.TryWrite(entry))
        {
            // Completed concurrently by DisposeAsync: the event is gone, and was never handed out.
            return false;
        }

        _busCounters?.AddDelivered();
        BusActivities.OnDelivered(evt, Pattern);
        return true;
    }

    /// <summary>Records that the transport re-established this subscription after a reconnect.</summary>
    public void MarkReconnected() => Interlocked.Increment(ref _reconnected);

    /// <summary>
    /// Records <paramref name="count"/> events lost before the next one this subscription receives (a broker's queue
    /// dropped them); the next delivered event reports them in <see cref="BusEvent.MissedBefore"/>.
    /// </summary>
    public void AddLostBeforeNext(long count) => Interlocked.Add(ref _lostBeforeNext, count);

    /// <summary>
    /// Records that events may have been lost uncounted before the next one this subscription receives (the
    /// connection that carried it ended); the next delivered event reports <see cref="BusEvent.MayHaveMissed"/>.
    /// </summary>
    public void MarkMayHaveMissedBeforeNext() => Volatile.Write(ref _gapBeforeNext, 1);

    public async IAsyncEnumerator<BusEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (true)
            {
                // Taken before the read, so every loss taken here was of an event older than the one read next. One
                // counted while this runs waits for the following read: late, never early.
                long lost = 0;
                var gap = false;
                if ((Volatile.Read(ref _lostUnread) | (long)Volatile.Read(ref _gapUnread)) != 0)
                {
                    lost = Interlocked.Exchange(ref _lostUnread, 0);
                    gap = Interlocked.Exchange(ref _gapUnread, 0) != 0;
                }

                if (!reader.TryRead(out var entry))
                {
                    if (lost != 0 || gap)
                    {
                        // Nothing to attach them to yet: give them back for the next read.
                        Interlocked.Add(ref _lostUnread, lost);
                        if (gap)
                        {
                            Volatile.Write(ref _gapUnread, 1);
                        }
                    }

                    break;
                }

                lost += entry.LostBefore;
                gap |= entry.MayHaveMissed;
                yield return lost == 0 && !gap ? entry.Event : entry.Event.WithLosses(lost, gap);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();

        // Discard what is queued so waiting iterators end now instead of draining a backlog nobody wants.
        while (_channel.Reader.TryRead(out _))
        {
        }

        var onDispose = Interlocked.Exchange(ref _onDispose, null);
        if (onDispose is not null)
        {
            await onDispose(this).ConfigureAwait(false);
        }
    }

    private void OnItemDropped(Entry dropped)
    {
        Interlocked.Increment(ref _dropped);
        _busCounters?.AddDropped();

        // The dropped event and whatever it was to report become the next read's losses.
        Interlocked.Add(ref _lostUnread, 1 + dropped.LostBefore);
        if (dropped.MayHaveMissed)
        {
            Volatile.Write(ref _gapUnread, 1);
        }
    }

    /// <summary>A queued event and the losses it reports (a struct: lossless delivery allocates nothing extra).</summary>
    private readonly record struct Entry(BusEvent Event, long LostBefore, bool MayHaveMissed);
}
