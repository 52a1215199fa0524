using System.Buffers;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// A connection's control frames (WELCOME, SUBACK, PONG, STATS, ERR, PING) waiting to be written: never dropped, but
/// bounded by count and bytes, past which the client is cut with ERR 9 (docs/wire-protocol.md, "Control replies"). A
/// frame may be a barrier that must not overtake the events queued before it (PONG, STATS: "Ordering"). Not
/// thread-safe: the owning connection holds its lock around every call.
/// </summary>
internal sealed class ControlLane(int maxFrames, int maxBytes)
{
    private readonly Queue<ControlFrame> _frames = new();
    private long _bytes;

    // The STATS reply queued and not yet written, and how many queued replies share it.
    private int _statsQueued;

    public int Count => _frames.Count;

    /// <summary>The STATS snapshot queued and not yet written, which further STATS requests share.</summary>
    public byte[]? StatsInFlight { get; private set; }

    /// <summary>
    /// Queues <paramref name="frame"/>, to leave only once <paramref name="after"/> events have been taken out of the
    /// event queue (0: at once). An uncharged frame does not count against the byte bound.
    /// </summary>
    /// <exception cref="ProtocolException">The lane is full (ERR 9): the client does not read its replies.</exception>
    public void Enqueue(byte[] frame, long after, bool charged = true)
    {
        var bytes = charged ? frame.Length : 0;
        if (!HasRoom(bytes))
        {
            throw new ProtocolException(BusErrorCode.SlowConsumer, $"more than {maxFrames} control frames or {maxBytes / 1024} KiB of them not yet written");
        }

        _frames.Enqueue(new ControlFrame(frame, after, bytes));
        _bytes += bytes;
    }

    /// <summary>Queues a STATS reply (a barrier, uncharged): at most one snapshot is held, however many ask.</summary>
    public void EnqueueStats(byte[] frame, long after)
    {
        Enqueue(frame, after, charged: false);
        StatsInFlight = frame;
        _statsQueued++;
    }

    /// <summary>Whether <paramref name="frameBytes"/> more would fit: the idle probe is skipped, not fatal, when not.</summary>
    public bool HasRoom(int frameBytes) => _frames.Count < maxFrames && _bytes + frameBytes <= maxBytes;

    /// <summary>Whether a refused PUB's ERR may be queued: such ERRs may fill half the lane, never all of it.</summary>
    public bool HasRoomForRefusal(int frameBytes) => _frames.Count < maxFrames / 2 && _bytes + frameBytes <= maxBytes / 2;

    /// <summary>How many more events may leave before the next queued frame, given <paramref name="eventsOut"/> taken so far.</summary>
    public long EventsBeforeNext(long eventsOut) => _frames.TryPeek(out var next) ? next.After - eventsOut : long.MaxValue;

    /// <summary>Writes the frames that may leave now into <paramref name="batch"/>, up to <paramref name="maxBatchBytes"/>.</summary>
    public void TakeInto(PooledBufferWriter batch, long eventsOut, int maxBatchBytes)
    {
        while (batch.WrittenCount < maxBatchBytes && _frames.TryPeek(out var head) && head.After <= eventsOut)
        {
            _frames.Dequeue();
            _bytes -= head.Bytes;
            if (ReferenceEquals(head.Frame, StatsInFlight) && --_statsQueued == 0)
            {
                StatsInFlight = null;
            }

            batch.Write(head.Frame);
        }
    }
}
