using Decnet.Bus.Internal;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Whether the server of an open connection has stopped taking this client's publishes, since when, and whether the
/// stall has outlasted its bound (<see cref="DecnetBusOptions.StallTimeout"/>; zero: never). Thread-safe.
/// </summary>
internal sealed class PublishStall(TimeSpan bound, TimeProvider time)
{
    private readonly long _boundTicks = TimestampSpan.Of(bound, time);

    // One value, so no reader sees half of a change: 0 while the server reads; the monotonic timestamp of the stall's
    // first timeout (at least 1) while it lasts; that timestamp negated once the stall has outlasted its bound.
    private long _state;

    /// <summary>True while a stall is under way (a publish timed out and none has been written since).</summary>
    public bool Active => Volatile.Read(ref _state) != 0;

    /// <summary>True once the current stall has lasted its bound: publishes are written only if there is room at once.</summary>
    public bool Outlasted => Volatile.Read(ref _state) < 0;

    /// <summary>
    /// Records that the client gave up waiting for room; true when the stall has now outlasted its bound, with
    /// <paramref name="began"/> true for the one caller that saw it happen first.
    /// </summary>
    public bool OnTimeout(out bool began)
    {
        began = false;
        var now = Math.Max(1, time.GetTimestamp());
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state < 0)
            {
                return true;
            }

            if (state == 0)
            {
                if (Interlocked.CompareExchange(ref _state, now, 0) == 0)
                {
                    return false;
                }

                continue;
            }

            if (_boundTicks <= 0 || now - state < _boundTicks)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, -state, state) == state)
            {
                began = true;
                return true;
            }
        }
    }

    /// <summary>A write went through: the stall is over. True when it had outlasted its bound (its end is news).</summary>
    public bool Clear()
    {
        var state = Interlocked.Exchange(ref _state, 0);
        return state < 0;
    }
}
