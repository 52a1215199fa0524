namespace Decnet.Bus.Internal;

/// <summary>A consumer whose backlog a filler may wait on (<see cref="CatchUpWait"/>).</summary>
internal interface ICatchUpTarget
{
    /// <summary>What to await until the consumer has caught up, or null when there is nothing to wait for (any more).</summary>
    Task? CatchUpTask();

    /// <summary>
    /// A count that grows when the consumer takes something (events from its queue, bytes from its socket) or its
    /// queue is emptied, and otherwise at most rarely (it may fall): a wait that runs out while it grew is extended
    /// (<see cref="CatchUpWait"/>).
    /// </summary>
    long Progress { get; }

    /// <summary>The bounded wait ran out: do not wait for this consumer again until it has caught up.</summary>
    void Excuse();
}
