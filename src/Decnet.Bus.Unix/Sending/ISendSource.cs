using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// What a <see cref="SocketWriter"/> sends: the queues of one side of a connection (the broker's per-client queue, the
/// client's outbox). The source's lock guards the writer's state too, so "queued" and "the writer must be woken" are
/// decided in one critical section, and a publish or an append takes one lock.
/// </summary>
internal interface ISendSource
{
    /// <summary>The lock guarding the source's queues and its writer's state.</summary>
    Lock Gate { get; }

    /// <summary>Whether anything waits to be sent. The caller holds <see cref="Gate"/>.</summary>
    bool HasWorkLocked { get; }

    /// <summary>
    /// Moves the next batch into <paramref name="batch"/>. The caller holds <see cref="Gate"/>. Returns true when the
    /// batch ends the stream: the writer half-closes the socket once it is sent.
    /// </summary>
    bool TakeLocked(PooledBufferWriter batch);

    /// <summary>
    /// Completes a batch outside <see cref="Gate"/>, after <see cref="TakeLocked"/> (and its final frame when
    /// <paramref name="final"/>): work that must not hold up the publishers appending meanwhile.
    /// </summary>
    void FinishTake(PooledBufferWriter batch, bool final);

    /// <summary>The socket accepted a batch.</summary>
    void OnSent();
}
