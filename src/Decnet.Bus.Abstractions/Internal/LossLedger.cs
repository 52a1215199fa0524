namespace Decnet.Bus.Internal;

/// <summary>
/// A subscription's counts and the losses its next deliveries report (<see cref="BusEvent.MissedBefore"/>,
/// <see cref="BusEvent.MayHaveMissed"/>). Not thread-safe: the owning subscription holds its lock around every call.
/// </summary>
/// <remarks>
/// Losses travel in two steps, so each is reported on the first event that follows it and never on an earlier one.
/// Losses the transport learns of before an event arrives (a broker's report, a reconnect) wait in
/// <c>_lostBeforeNext</c>/<c>_gapBeforeNext</c> and ride on the next queued entry. An entry dropped from the full queue
/// hands its own loss, plus what it carried, to <c>_lostUnread</c>/<c>_gapUnread</c>, which the next read takes:
/// drop-oldest only ever removes the head, so everything dropped is older than what is read next.
/// </remarks>
internal struct LossLedger
{
    private long _lostBeforeNext;
    private bool _gapBeforeNext;
    private long _lostUnread;
    private bool _gapUnread;

    public long Received { get; private set; }

    public long Dropped { get; private set; }

    public void AddLostBeforeNext(long count) => _lostBeforeNext = Add(_lostBeforeNext, count);

    public void MarkGapBeforeNext() => _gapBeforeNext = true;

    /// <summary>An event is queued: returns the losses announced before it, which it now carries.</summary>
    public (long Lost, bool Gap) OnQueued()
    {
        Received++;
        var carried = (_lostBeforeNext, _gapBeforeNext);
        _lostBeforeNext = 0;
        _gapBeforeNext = false;
        return carried;
    }

    /// <summary>The oldest queued event, carrying <paramref name="lost"/> and <paramref name="gap"/>, was dropped.</summary>
    public void OnDropped(long lost, bool gap)
    {
        Dropped++;
        _lostUnread = Add(_lostUnread, Add(1, lost));
        _gapUnread |= gap;
    }

    /// <summary>The oldest queued event is read: what it reports, its own losses plus those dropped before it.</summary>
    public (long Lost, bool Gap) OnRead(long lost, bool gap)
    {
        var reported = (Add(_lostUnread, lost), _gapUnread | gap);
        _lostUnread = 0;
        _gapUnread = false;
        return reported;
    }

    /// <summary>
    /// <paramref name="sum"/> plus <paramref name="count"/>, both non-negative, saturated at <see cref="long.MaxValue"/>:
    /// a broker's LOST counts are any int64 it sends, and two near the top would wrap the report negative.
    /// </summary>
    private static long Add(long sum, long count) => count > long.MaxValue - sum ? long.MaxValue : sum + count;
}
