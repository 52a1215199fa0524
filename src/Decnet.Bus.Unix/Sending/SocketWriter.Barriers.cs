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
        lock (_gate)
        {
            return _waitingForRoom ? Task.CompletedTask
                : (_fullWatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
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

    /// <summary>A send of the loop found the socket full (or got room again): only then, so never per event.</summary>
    private void NoteWaitingForRoom(bool waiting)
    {
        lock (_gate)
        {
            _waitingForRoom = waiting;
            if (waiting)
            {
                _fullWatch?.TrySetResult();
                _fullWatch = null;
            }
        }
    }
}
