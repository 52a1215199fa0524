namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>What the idle sweep decided for one connection.</summary>
internal enum IdleVerdict
{
    /// <summary>Nothing to do: the connection spoke recently, has not finished its handshake, or has a probe out.</summary>
    None,

    /// <summary>Quiet for half the idle timeout: send PING.</summary>
    Probe,

    /// <summary>The PING went unanswered for the rest of the idle timeout: cut the connection (ERR 10).</summary>
    Cut,
}

/// <summary>
/// One connection's idle deadline, shared by two threads (docs/reliability.md, "idle"). The receive loop reports each
/// read that handled a whole frame (<see cref="Active"/>) with a timestamp and a count, which costs it no timer call per
/// read. The broker's sweep (<see cref="IdleSweeper"/>) alone decides when to probe and when to cut: the count, not the
/// timestamp, tells it whether anything arrived since its PING, so a PONG read at the same clock reading as the PING
/// still counts. A cut is a request the receive loop carries out on its own thread (<see cref="TakeCut"/>), and it
/// names the count it was decided on: a frame handled since then, however the two threads interleave, makes it void.
/// </summary>
internal sealed class IdleWatch
{
    // Written by the receive loop only: the timestamp of the last read that handled a frame, and how many such reads
    // there have been since the handshake (0 before it: the handshake timeout applies instead).
    private long _activeAt;
    private long _reads;

    // The read count a cut was decided on, or -1: none asked for.
    private long _cutAt = -1;

    // Read and written by the sweep only (one sweep runs at a time): the read count when the PING went out (-1: none
    // out) and when it went out.
    private long _probedReads = -1;
    private long _probedAt;

    /// <summary>The receive loop handled at least one whole frame in a read at <paramref name="now"/>.</summary>
    public void Active(long now)
    {
        Volatile.Write(ref _activeAt, now);
        Volatile.Write(ref _reads, _reads + 1);
    }

    /// <summary>
    /// Whether a cut is asked for and still stands, clearing the request: the receive loop's check after a cancelled
    /// read. A cut decided before the loop's latest handled read does not stand.
    /// </summary>
    public bool TakeCut() => Interlocked.Exchange(ref _cutAt, -1) == _reads;

    /// <summary>
    /// The sweep's decision at <paramref name="now"/>: PING after <paramref name="probeAfter"/> without a frame, cut
    /// when a PING has gone <paramref name="answerWithin"/> without one (all in <see cref="TimeProvider"/> timestamp
    /// units). A cut is already asked for when this returns <see cref="IdleVerdict.Cut"/>; the caller wakes the loop.
    /// </summary>
    public IdleVerdict Check(long now, long probeAfter, long answerWithin)
    {
        var reads = Volatile.Read(ref _reads);
        if (reads == 0)
        {
            return IdleVerdict.None;
        }

        if (reads == _probedReads)
        {
            if (now - _probedAt < answerWithin)
            {
                return IdleVerdict.None;
            }

            Volatile.Write(ref _cutAt, reads);
            return IdleVerdict.Cut;
        }

        if (now - Volatile.Read(ref _activeAt) < probeAfter)
        {
            return IdleVerdict.None;
        }

        _probedReads = reads;
        _probedAt = now;
        return IdleVerdict.Probe;
    }
}
