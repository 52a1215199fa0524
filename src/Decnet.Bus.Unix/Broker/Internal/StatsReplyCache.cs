using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The encoded STATS reply the broker hands out, rebuilt at most once per <see cref="MaxAge"/> while nothing it counts
/// has changed (docs/wire-protocol.md, "STATS"). A flood of STATS then costs one snapshot, not one walk over every
/// connection and one large array per request; and since a change of any counter invalidates it, a reply still
/// counts every frame the broker read before the request (STATS stays a barrier for the counters).
/// </summary>
internal sealed class StatsReplyCache(Func<BrokerStats> build, TimeProvider time)
{
    /// <summary>The oldest a reply's snapshot may be.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private byte[]? _frame;
    private long _takenAt;
    private StatsStamp _stamp;

    /// <summary>The current reply frame; <paramref name="stamp"/> is what the counters read now.</summary>
    public byte[] Get(StatsStamp stamp)
    {
        lock (_gate)
        {
            if (_frame is not null && stamp == _stamp && time.GetElapsedTime(_takenAt) < MaxAge)
            {
                return _frame;
            }

            // The stamp is read before the snapshot: a change during the build makes the next request rebuild.
            var takenAt = time.GetTimestamp();
            var stats = build();
            using var buffer = new PooledBufferWriter(256 + (stats.Connections.Count * 192));
            FrameWriter.WriteStatsReply(buffer, stats);
            _frame = buffer.WrittenSpan.ToArray();
            _takenAt = takenAt;
            _stamp = stamp;
            return _frame;
        }
    }
}

/// <summary>What a STATS reply counts, in a few numbers: equal stamps mean equal counters and rows.</summary>
internal readonly record struct StatsStamp(long Published, long Delivered, long Dropped, long Version);
