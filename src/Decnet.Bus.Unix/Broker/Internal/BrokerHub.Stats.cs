using System.Buffers;
using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>What STATS reports: the snapshot, its encoded reply and the rejection counts (docs/wire-protocol.md §7.5).</summary>
internal sealed partial class BrokerHub
{
    /// <summary>The STATS reply frame, from a snapshot at most <see cref="StatsReplyCache.MaxAge"/> old that no counter change has outdated.</summary>
    public byte[] StatsReply()
    {
        var totals = _counters.Snapshot;
        return _statsReply.Get(new StatsStamp(totals.Published, totals.Delivered, totals.Dropped, Interlocked.Read(ref _version)));
    }

    /// <summary>Counts one ERR: a connection refused or closed, or one request rejected (docs/wire-protocol.md §6).</summary>
    public void CountRejection(BusErrorCode code)
    {
        if ((uint)code < (uint)_rejections.Length)
        {
            Interlocked.Increment(ref _rejections[(int)code]);
        }

        Changed();

        Rejected?.Invoke(code);
    }

    /// <summary>Raised after each counted rejection (tests await it instead of polling the counters).</summary>
    public event Action<BusErrorCode>? Rejected;

    /// <summary>Non-zero rejection counters keyed by error code.</summary>
    public IReadOnlyDictionary<BusErrorCode, long> Rejections()
    {
        var counts = new SortedDictionary<BusErrorCode, long>();
        for (var i = 1; i < _rejections.Length; i++)
        {
            var count = Interlocked.Read(ref _rejections[i]);
            if (count > 0)
            {
                counts[(BusErrorCode)i] = count;
            }
        }

        return counts;
    }

    public BrokerStats GetStats()
    {
        var rows = _connections.Values
            .OrderBy(static c => c.Id)
            .Select(static c => c.Snapshot())
            .ToList();
        var totals = _counters.Snapshot;
        return new BrokerStats(Credentials.Pid, UptimeSeconds, totals.Published, totals.Delivered, totals.Dropped, rows)
        {
            Rejections = Rejections() is { Count: > 0 } rejections
                ? rejections.ToDictionary(static r => BrokerStats.RejectionName((int)r.Key), static r => r.Value)
                : BrokerStats.NoRejections,
            Heartbeats = Interlocked.Read(ref _heartbeats),
        };
    }
}
