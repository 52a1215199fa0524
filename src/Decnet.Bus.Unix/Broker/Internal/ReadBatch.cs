using System.Buffers;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The routing state of one publishing connection, handed explicitly to every publish it routes
/// (docs/performance-history.md, "Hot path redesign (issue 14), part 2"). While a read is handled, EVT frames are
/// staged per destination; <see cref="Commit"/> puts each destination's frames into its queue under its lock once and
/// sums the counters once; <see cref="Complete"/> then flushes (or wakes) each destination once. It also holds the
/// connection's <see cref="RouteCache"/>. Used by one thread at a time: the connection's receive loop, or the
/// heartbeat under its lock.
/// </summary>
internal sealed class ReadBatch(BrokerHub hub, BrokerConnection? publisher)
{
    private readonly Dictionary<BrokerConnection, EventStaging> _stagings = [];
    private readonly List<EventStaging> _toCommit = [];
    private readonly List<EventStaging> _toFlush = [];
    private readonly List<ICatchUpTarget> _behind = [];
    private readonly bool _waitsForCatchUp = publisher is not null && hub.Limits.CatchUpWait > TimeSpan.Zero;
    private readonly RouteEntry _scratch = new();
    private readonly ArrayBufferWriter<byte> _encoder = new(256);
    private long _generation = -1;
    private long _published;
    private bool _routed;
    private OutboundQueue? _reply;

    public RouteCache Cache { get; } = new(hub);

    /// <summary>The routes a topic matched while its entry is worked out.</summary>
    public List<Route> Matches { get; } = [];

    /// <summary>The bytes the stagings hold (for tests; the flush buffer goes back after every reply, FlushOwn).</summary>
    internal long RetainedBytes => _stagings.Values.Sum(static s => (long)s.Capacity);

    /// <summary>The buffer an inline flush writes from (<see cref="OutboundQueue.FlushOrWake"/>).</summary>
    public PooledBufferWriter FlushBuffer { get; } = new(64 * 1024);

    /// <summary>An entry to work a route out in; cached copies are made from it (<see cref="RouteCache.Add"/>).</summary>
    public RouteEntry Scratch(long generation)
    {
        if (generation != _generation)
        {
            // Some connection may have gone: forget its staging unless this read still holds frames for it.
            _generation = generation;
            foreach (var (connection, staging) in _stagings)
            {
                if (!hub.IsRegistered(connection) && !staging.Listed && !staging.FlushListed)
                {
                    staging.Release(all: true);
                    _stagings.Remove(connection);
                }
            }
        }

        _scratch.Reset(generation);
        return _scratch;
    }

    /// <summary>A cleared writer to encode an entry's parts in.</summary>
    public ArrayBufferWriter<byte> Encoder()
    {
        _encoder.ResetWrittenCount();
        return _encoder;
    }

    public EventStaging StagingFor(BrokerConnection destination)
    {
        if (!_stagings.TryGetValue(destination, out var staging))
        {
            staging = new EventStaging(destination.Outbound, hub);
            _stagings[destination] = staging;
        }

        return staging;
    }

    /// <summary>
    /// Stages one routed PUB's EVT for every destination of <paramref name="route"/>; <paramref name="traced"/> when
    /// this PUB's tail ends with a trace (a per-publish fact, not a topic's: the cached head says 8 elements).
    /// </summary>
    public void Stage(in RouteView route, ReadOnlySpan<byte> tail, bool traced)
    {
        _published++;
        _routed = true;
        var commit = false;
        foreach (ref readonly var target in route.Targets)
        {
            var staging = target.Staging;
            staging.Add(route.SidHead(target), route.TopicHead, tail, traced);
            if (!staging.Listed)
            {
                staging.Listed = true;
                _toCommit.Add(staging);
            }

            commit |= staging.WrittenBytes > EventStaging.CommitBytes || (_waitsForCatchUp && staging.Count >= staging.Destination.CatchUpStep);
        }

        if (commit)
        {
            Commit();
        }
    }

    /// <summary>Queues what is staged on each destination (one lock each) and adds up the counters once.</summary>
    public void Commit()
    {
        long delivered = 0;
        long dropped = 0;
        foreach (var staging in _toCommit)
        {
            var destination = staging.Destination;
            dropped += destination.AppendStaged(staging, out var queued, out var flush, out var behind);
            if (behind && _waitsForCatchUp && !_behind.Contains(destination))
            {
                _behind.Add(destination);
            }

            delivered += queued;
            staging.Reset();
            if (flush && !staging.FlushListed)
            {
                staging.FlushListed = true;
                _toFlush.Add(staging);
            }
        }

        _toCommit.Clear();
        if (_published > 0 || delivered > 0)
        {
            hub.CountRouted(publisher, _published, delivered, dropped);
            _published = 0;
        }
    }

    /// <summary>
    /// Whether the read should stop here and wait (<see cref="CatchUpAsync"/>) before handling its remaining frames: a
    /// destination is behind (never for the heartbeat's batch, which must not wait). Staging commits every quarter of
    /// a destination's queue, so no read overflows it.
    /// </summary>
    public bool ShouldPause => _behind.Count > 0;

    /// <summary>
    /// Between two reads of the publisher: waits, once and bounded, for the destinations this read left behind, so a
    /// fast publisher is slowed to its readers instead of their losing events (docs/Service-Bus.md, "Catch-up waits").
    /// </summary>
    public ValueTask CatchUpAsync(TimeProvider time, CancellationToken cancellationToken)
        => ShouldPause ? CatchUpWait.WaitAsync(_behind, hub.Limits.CatchUpWait, time, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>
    /// Has <see cref="Complete"/> flush the publisher's own queue too: the read queued a reply (PONG, STATS) and claimed
    /// the parked writer's wake-up (<see cref="OutboundQueue.EnqueueAndClaim"/>), so the reply is written on this thread
    /// at the end of the read instead of waking the send loop for it.
    /// </summary>
    public void FlushReplyAfterRead(OutboundQueue queue) => _reply = queue;

    /// <summary>
    /// Ends the read: commits, then flushes (or wakes) each destination that asked, and a reply's queue, once. When the
    /// publisher has handled all it read (<paramref name="drained"/>), buffers go back to their pools first: all of them
    /// after a read that routed nothing (a PONG to the broker's idle PING, a keepalive PING: the publisher is quiet; its
    /// route cache is emptied then too), otherwise only those a large event grew past their ordinary size, or all of
    /// them while the broker's publishers together keep more than <see cref="BrokerHub.StagingBudgetBytes"/>. Kept,
    /// they grew with the number of (publisher, destination) pairs, each pair's with the largest event it ever carried;
    /// given back after every read, a flood paid a pool round trip per destination per read (docs/performance.md,
    /// part 26). <paramref name="releaseAll"/>: all of them whatever the read did (the heartbeat, once per interval).
    /// </summary>
    public void Complete(bool drained, bool releaseAll = false)
    {
        Commit();

        // Before the flush: a reader the flush lets see the events must also see the buffers given back (tests count
        // them); what was staged has been copied into the destinations' queues.
        var all = drained && (releaseAll || !_routed || hub.StagingBytes > BrokerHub.StagingBudgetBytes);
        if (drained)
        {
            ReleaseStagings(all);
        }

        foreach (var staging in _toFlush)
        {
            staging.FlushListed = false;
            staging.Destination.FlushOrWake(FlushBuffer);
        }

        _toFlush.Clear();
        if (drained && (all || FlushBuffer.Capacity > OutboundQueue.MaxBatchBytes))
        {
            FlushBuffer.Release();
        }

        if (drained && !_routed)
        {
            // A quiet publisher's routes too: kept, an idle connection's share of the broker-wide bound stays spent.
            Cache.Clear();
        }

        _routed = false;
        if (_reply is { } reply)
        {
            _reply = null;
            FlushOwn(reply);
        }
    }

    /// <summary>Gives every buffer back and forgets every route, for good: the publishing connection has ended.</summary>
    public void ReleaseAll()
    {
        ReleaseStagings(all: true);
        FlushBuffer.Release();
        _stagings.Clear();
        Cache.Clear();
    }

    /// <summary>The stagings' buffers (<see cref="EventStaging.Release"/>): all, or those grown large.</summary>
    private void ReleaseStagings(bool all)
    {
        foreach (var staging in _stagings.Values)
        {
            staging.Release(all);
        }
    }

    /// <summary>
    /// Flushes the publisher's own queue (a reply), then gives the flush buffer back: most connections that write only
    /// replies are idle ones, which must hold no send memory (W5: 1,000 idle connections would each keep 64 KiB). A
    /// publisher's next read rents it again; replies are rare enough for that not to matter.
    /// </summary>
    private void FlushOwn(OutboundQueue queue)
    {
        queue.FlushOrWake(FlushBuffer);
        FlushBuffer.Release();
    }
}
