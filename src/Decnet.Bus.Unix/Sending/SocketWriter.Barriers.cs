namespace Decnet.Bus.Unix.Sending;

/// <summary>The writer's barriers for tests: states awaited instead of waited for with time.</summary>
internal sealed partial class SocketWriter
{
    /// <summary>Completes when the loop next parks (for tests: a barrier instead of a wait for time).</summary>
    internal Task NextParkAsync()
    {
        lock (_gate)
        {
            return (_parkWatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// Completes once the loop is parked with nothing queued and free for an inline write (no inline writer, no unsent
    /// tail): at once when it is now, else when it next is (for tests: the barrier before a publish that must find the
    /// loop asleep).
    /// </summary>
    internal Task ParkedAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromException(new ObjectDisposedException(nameof(SocketWriter)));
            }

            return IsFreeLocked ? Task.CompletedTask
                : (_freeWatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// Completes once a send of the loop is waiting for room in the socket (at once if one is now): the peer's buffer
    /// is full, so nothing more leaves until the peer reads. For tests, the barrier that tells a peer that stopped
    /// reading from a loop that simply has not run yet.
    /// </summary>
    internal Task SocketFullAsync()
    {
        // The gate orders this against Dispose only; the loop's side takes no lock. The watch is published before the
        // flag is read, and the loop sets the flag before it takes the watch, so one of the two sees the other.
        TaskCompletionSource watch;
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromException(new ObjectDisposedException(nameof(SocketWriter)));
            }

            watch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            watch = Interlocked.CompareExchange(ref _fullWatch, watch, null) ?? watch;
        }

        return Volatile.Read(ref _waitingForRoom) ? Task.CompletedTask : watch.Task;
    }

    /// <summary>Parked with nothing to do and no wake-up on its way, no inline writer and no unsent tail.</summary>
    private bool IsFreeLocked => _parked && !_wakeOnWay && !_inline && _leftover is null && !_disposed && !_source.HasWorkLocked;

    /// <summary>Completes <see cref="ParkedAsync"/>'s waiters once the writer is free for an inline write.</summary>
    private void ReleaseFreeWatchLocked()
    {
        if (_freeWatch is { } watch && IsFreeLocked)
        {
            watch.TrySetResult();
            _freeWatch = null;
        }
    }

    /// <summary>
    /// A send of the loop found the socket full (or got room again). Only then, never per event, and without the
    /// source's gate, which the broker's routing holds while it queues.
    /// </summary>
    private void NoteWaitingForRoom(bool waiting)
    {
        Volatile.Write(ref _waitingForRoom, waiting);
        if (waiting)
        {
            Interlocked.Exchange(ref _fullWatch, null)?.TrySetResult();
        }
    }
}
