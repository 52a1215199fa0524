namespace Decnet.Bus.Internal;

/// <summary>
/// Inline delivery (<see cref="SubscriptionOptions.InlineDelivery"/>): the transport's receive thread calls the handler
/// itself while nothing of this subscription is queued or in the loop's hands, so an event costs neither a ring slot,
/// a second lock nor a wake-up of the delivery loop (docs/performance-history-3.md, part 15). Anything else, and every event after
/// a call that did not complete on the thread, goes through the ring and the loop as without it, which keeps
/// per-publisher order, drop-oldest and the loss counts.
/// </summary>
internal sealed partial class HandlerSubscription
{
    // Guarded by Gate. _inTurn: the loop holds events it took from the ring and has not finished handling them.
    // _pending: an inline call that went asynchronous; the loop awaits it before it takes the ring's events (the
    // subscription is scheduled while it is set).
    private bool _inTurn;
    private Task? _pending;

    // The receive thread's copy of the event it hands inline; given up to a call that went asynchronous.
    private byte[]? _inlineBuffer;

    // _call: _noCall, the id of the thread making an inline call (from before its copy until the handler returns or
    // hands the call to the loop), or _callsEnded once disposed. Changed only by compare-exchange, one in and one out
    // per call, so a dispose either sees the call and waits for it or the call never starts. _callEnded: set by the
    // dispose before it ends calls, completed by a call that finds them ended as it returns.
    private const int _noCall = 0;
    private const int _callsEnded = -1;
    private int _call;
    private TaskCompletionSource? _callEnded;
    private Task? _disposeWaitsFor;

    /// <summary>Whether the transport may call the handler on its receive thread (<see cref="TryHandleInline"/>).</summary>
    public bool Inline { get; }

    /// <summary>
    /// For the transport's receive thread, with no lock of this subscription held: calls the handler with a copy of the
    /// event now, when nothing is queued, scheduled or in the loop's hands; a call that does not complete on the thread
    /// is handed to the loop, which awaits it before the events queued after it. False, with nothing done, when the
    /// event must be queued instead (<see cref="AppendCopyHeld"/>). True also once disposed (the event is discarded).
    /// </summary>
    public bool TryHandleInline(string topic, string type, ReadOnlySpan<byte> idUtf8, double timestamp, PeerCredentials? publisher, ReadOnlySpan<byte> payload)
    {
        long lost;
        bool gap;
        (long, long) counts;
        lock (Gate)
        {
            if (IsDisposed)
            {
                return true;
            }

            if (_ring.Count > 0 || _scheduled || _inTurn)
            {
                return false;
            }

            // Queued and read at once: the same counts and loss report as an event that went through the ring, the bus
            // counters published now, and no LeftBehind left over from the ring's last append (it would pause the read
            // for nothing).
            (lost, gap) = QueuedLocked();
            AfterAppendLocked();
            (lost, gap) = ReadLocked(lost, gap);
            OnTakenLocked();
            counts = TakeUncountedLocked();
        }

        Count(counts);

        // Disposed, or its bus is being disposed, since the check above: no call after DisposeAsync, as on the loop.
        var thread = Environment.CurrentManagedThreadId;
        if (Disposing.IsCancellationRequested || Interlocked.CompareExchange(ref _call, thread, _noCall) != _noCall)
        {
            return true;
        }

        byte[] buffer;
        ValueTask handled;
        try
        {
            buffer = CopyIn(_inlineBuffer, idUtf8, payload);
            if (buffer.Length <= ReusedBufferBytes)
            {
                _inlineBuffer = buffer;
            }

            var delivery = new BusDelivery(
                topic, type, buffer.AsMemory(0, idUtf8.Length), timestamp, publisher, buffer.AsMemory(idUtf8.Length, payload.Length), lost, gap);
            handled = Handler(delivery, Disposing);
            if (handled.IsCompleted)
            {
                // Observes a synchronous failure (and releases a pooled source) as the loop would.
                handled.GetAwaiter().GetResult();
                return true;
            }
        }
#pragma warning disable CA1031 // A failing handler must not end the receive loop; it is logged and counted as on the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _loop.OnHandlerFailed(this, ex);
            return true;
        }
        finally
        {
            EndCall(thread);
        }

        // The call still reads the buffer: the next inline event gets another.
        if (ReferenceEquals(buffer, _inlineBuffer))
        {
            _inlineBuffer = null;
        }

        // Handed over even if the subscription was disposed meanwhile: the loop still observes the call's outcome
        // (a failure is counted) and, finding the queue empty, takes nothing after it. A loop that is stopping
        // observes it at once instead (ObserveAbandoned).
        lock (Gate)
        {
            _pending = handled.AsTask();
            _scheduled = true;
        }

        _loop.Schedule(this);
        return true;
    }

    /// <summary>On disposal, before the token is cancelled: no inline call starts after this.</summary>
    private void EndCalls()
    {
        // Before the exchange: a call that finds calls ended as it returns then sees it.
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _callEnded, ended);
        var call = Interlocked.Exchange(ref _call, _callsEnded);

        // A dispose from inside the call does not wait for it (it could not end first). Nor does one whose handler
        // token the bus cancelled first (CancelHandler): the bus has waited for its receive thread within its bounds.
        if (call != _noCall && call != _callsEnded && call != Environment.CurrentManagedThreadId
            && !_disposing.IsCancellationRequested)
        {
            _disposeWaitsFor = ended.Task;
        }
    }

    /// <summary>The inline call made on <paramref name="thread"/> returned (or went to the loop).</summary>
    private void EndCall(int thread)
    {
        if (Interlocked.CompareExchange(ref _call, _noCall, thread) != thread)
        {
            // Disposed meanwhile: its DisposeAsync may be waiting for this call.
            Volatile.Read(ref _callEnded)?.TrySetResult();
        }
    }

    /// <summary>
    /// Cancels the token handed to the handler without disposing the subscription: for a transport that must wait for
    /// its receive thread, which may be in an inline call, before it disposes its subscriptions; disposal cancels it
    /// this way too.
    /// </summary>
    public void CancelHandler()
    {
        try
        {
            _disposing.Cancel();
        }
        catch (AggregateException ex)
        {
            // Callbacks the handler registered on its token threw (each ran): they must not stop the disposal that
            // cancels it, which would then leave this subscription, or the bus, half disposed.
            _loop.OnTokenCallbacksFailed(this, ex);
        }
    }

    /// <summary>On the loop, before taking: the inline call to await first, if one went asynchronous.</summary>
    public Task? TakePending()
    {
        lock (Gate)
        {
            var pending = _pending;
            _pending = null;
            return pending;
        }
    }

    /// <summary>
    /// For a stopping loop, which will not give this subscription another turn: an inline call that went asynchronous
    /// is observed on its own, so a failure is still counted and logged.
    /// </summary>
    public void ObserveAbandoned()
    {
        if (Inline && TakePending() is { } pending)
        {
            _ = ObserveAsync(pending);
        }
    }

    private async Task ObserveAsync(Task pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As on the loop: the failure is the handler's, counted and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _loop.OnHandlerFailed(this, ex);
        }
    }

    /// <summary>On the loop, once the events of a turn are handled: inline delivery may resume when nothing is queued.</summary>
    public void EndTurn()
    {
        lock (Gate)
        {
            _inTurn = false;
        }
    }
}
