namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Whether the server of an open connection has stopped taking this client's publishes, since when, and whether the
/// stall has outlasted its bound (<see cref="DecnetBusOptions.StallTimeout"/>; zero: never). Thread-safe.
/// </summary>
internal sealed class PublishStall(TimeSpan bound, TimeProvider time)
{
    private readonly long _boundTicks = (long)(bound.TotalSeconds * time.TimestampFrequency);

    // The monotonic timestamp of the stall's first timeout (at least 1); 0 while the server reads.
    private long _since;

    // 1 once this stall outlasted its bound (publishes drop meanwhile), so its end is reported once.
    private int _outlasted;

    /// <summary>True while a stall is under way (a publish timed out and none has been written since).</summary>
    public bool Active => Volatile.Read(ref _since) != 0;

    /// <summary>True once the current stall has lasted its bound: publishes are written only if there is room at once.</summary>
    public bool Outlasted => Volatile.Read(ref _outlasted) != 0;

    /// <summary>
    /// Records that the client gave up waiting for room; true when the stall has now outlasted its bound, with
    /// <paramref name="began"/> true for the one caller that saw it happen first.
    /// </summary>
    public bool OnTimeout(out bool began)
    {
        var now = Math.Max(1, time.GetTimestamp());
        var since = Interlocked.CompareExchange(ref _since, now, 0);
        if (since == 0)
        {
            since = now;
        }

        began = false;
        if (_boundTicks <= 0 || now - since < _boundTicks)
        {
            return false;
        }

        began = Interlocked.Exchange(ref _outlasted, 1) == 0;
        return true;
    }

    /// <summary>A write went through: the stall is over. True when it had outlasted its bound (its end is news).</summary>
    public bool Clear()
    {
        var since = Volatile.Read(ref _since);

        // Compared with the value read, so a late caller from an earlier stall cannot end a newer one.
        if (since == 0 || Interlocked.CompareExchange(ref _since, 0, since) != since)
        {
            return false;
        }

        return Interlocked.Exchange(ref _outlasted, 0) != 0;
    }
}
