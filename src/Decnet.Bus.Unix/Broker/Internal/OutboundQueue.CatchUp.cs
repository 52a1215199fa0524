using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// This queue as a destination a publisher's read loop may wait on (docs/Service-Bus.md, "Catch-up waits"): its
/// event queue is behind when it holds more than half of its event or byte bound, and has caught up at a quarter.
/// Only a queue at least as large as <see cref="DefaultWaitedQueue"/> (or the broker's default, if smaller) is waited
/// for: the marks scale with the queue, so at a queue of one a subscriber reading an event per bound would hold every
/// publisher it matches to that pace; a smaller queue gets drop-oldest alone.
/// </summary>
internal sealed partial class OutboundQueue : ICatchUpTarget
{
    private readonly CatchUpGate _catchUp = new();

    /// <summary>
    /// The smallest queue publishers wait for, unless the broker's own default (<c>DECNET_BUS_QUEUE_SIZE</c>) is
    /// smaller: a client's default, so a broker configured with larger queues still waits for ordinary clients.
    /// </summary>
    internal const int DefaultWaitedQueue = 1024;

    private bool _waitedFor;
    private int _catchUpStep;

    /// <summary>
    /// Events a publisher's read stages for this connection before it commits them and looks at this queue again:
    /// a quarter of the queue, so a queue under half full cannot overflow before the publisher waits.
    /// </summary>
    public int CatchUpStep => _catchUpStep;

    /// <inheritdoc />
    public long Progress => Writer.PeerProgress;

    /// <inheritdoc />
    public Task? CatchUpTask()
    {
        lock (_gate)
        {
            return _closing || _catchUp.IsExcused || CaughtUpLocked() ? null : _catchUp.WaitTask();
        }
    }

    /// <inheritdoc />
    public void Excuse()
    {
        lock (_gate)
        {
            if (!CaughtUpLocked())
            {
                _catchUp.Excuse()?.TrySetResult();
            }
        }
    }

    /// <summary>Under the lock, after events were queued: whether the publisher that queued them should wait.</summary>
    private bool BehindLocked()
        => _catchUp.ShouldWait(_waitedFor && (_events.Count > QueueSize / 2 || _queuedBytes > _hub.Limits.MaxQueueBytes / 2));

    /// <summary>
    /// Under the lock, after <paramref name="count"/> events were taken (<see cref="CatchUpGate.Took"/>). The
    /// continuation runs asynchronously, so completing it under the lock runs no foreign code here.
    /// </summary>
    private void OnEventsTakenLocked(int count) => _catchUp.Took(count, CaughtUpLocked(), QueueSize)?.TrySetResult();

    private bool CaughtUpLocked()
        => _events.Count <= QueueSize / 4 && _queuedBytes <= _hub.Limits.MaxQueueBytes / 4;
}
