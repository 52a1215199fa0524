using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Internal;

/// <summary>
/// The one task that runs every handler subscription of a bus: subscriptions with queued events wait in a ready
/// queue, and the loop hands each a bounded turn. A transport wakes it once per run of events (per subscription
/// touched) and only when it is parked, so a busy loop is never signalled.
/// </summary>
internal sealed partial class DeliveryLoop : IValueTaskSource, IAsyncDisposable
{
    /// <summary>Events one subscription handles per turn before the others get theirs.</summary>
    internal const int Turn = 256;

    /// <summary>How long disposal waits for a handler call in progress.</summary>
    internal static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    // The loop whose task runs the current code: set once when the loop starts, so every handler call on it (and what
    // the call awaits) sees it at no cost per event, and a bus disposed from inside a handler does not wait for itself.
    private static readonly AsyncLocal<DeliveryLoop?> _running = new();

    // Lock-free on purpose: a transport schedules every subscription a read touched (10,000 of them in W4), and a lock
    // shared with the loop made the two threads spin on each other (docs/performance-history.md, issue 14 part 3).
    private readonly ConcurrentQueue<HandlerSubscription> _ready = new();
    private readonly Lock _start = new();
    private readonly ILogger _logger;
    private readonly BusDelivery[] _batch = new BusDelivery[Turn];
    private readonly byte[]?[] _spares = new byte[]?[Turn];
    private readonly ResumeThread? _resumer;
    private readonly TimeProvider _time;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private Task _run = Task.CompletedTask;
    private int _parked;
    private int _started;
    private volatile bool _stopping;
    private volatile bool _awaited;

    /// <param name="logger">Where handler failures go, or null.</param>
    /// <param name="resumer">The thread the parked loop resumes on while that thread is free (else the thread pool), or null.</param>
    /// <param name="time">
    /// What times <see cref="StopBound"/>, or null for the system clock (tests pass a fake one to see disposal wait for
    /// a running handler, then stop waiting once the bound passes).
    /// </param>
    public DeliveryLoop(ILogger? logger, ResumeThread? resumer = null, TimeProvider? time = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _resumer = resumer;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether the loop is parked with its continuation registered, so the next wake-up resumes it (for tests that need
    /// it parked).
    /// </summary>
    internal bool IsParked => _awaited && Volatile.Read(ref _parked) == 1;

    /// <summary>
    /// Queues <paramref name="subscription"/> for a turn (it has events and was not queued already); once the loop is
    /// stopping, only observes the inline call it would have awaited (<see
    /// cref="HandlerSubscription.ObserveAbandoned"/>).
    /// </summary>
    public void Schedule(HandlerSubscription subscription)
    {
        if (_stopping)
        {
            subscription.ObserveAbandoned();
            return;
        }

        _ready.Enqueue(subscription);
        if (_stopping)
        {
            // Queued as disposal drained the queue: either it saw this subscription, or this sees it stopping.
            Abandon();
            return;
        }

        if (Volatile.Read(ref _started) == 0 && Start())
        {
            return;
        }

        // Either this sees the loop parked or the loop, which parks before it looks again, sees the subscription.
        Interlocked.MemoryBarrier();
        Unpark(true);
    }

    public async ValueTask DisposeAsync()
    {
        Task run;
        lock (_start)
        {
            // Under the start lock: a first Schedule racing this one has either stored its task or will not start one.
            _stopping = true;
            run = _run;
        }

        Interlocked.MemoryBarrier();
        Abandon();
        Unpark(false);

        if (ReferenceEquals(_running.Value, this))
        {
            // From inside one of this loop's handler calls: the loop waits on that call, which waits on this, so
            // waiting here would only run out the bound. The loop ends by itself once the call returns (it is
            // stopping).
            return;
        }

        // A handler that ignores its cancelled token must not hang the bus's disposal: it is left to finish alone.
        await run.WaitAsync(StopBound, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Once stopping: empties the ready queue; the inline calls its subscriptions handed over are observed.
    /// </summary>
    private void Abandon()
    {
        while (_ready.TryDequeue(out var subscription))
        {
            subscription.ObserveAbandoned();
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        _core.OnCompleted(continuation, state, token, flags);
        _awaited = true;
    }

    /// <summary>Starts the loop on the first schedule (false when another caller did, or the loop is stopping).</summary>
    private bool Start()
    {
        lock (_start)
        {
            if (_started != 0 || _stopping)
            {
                return false;
            }

            _run = Task.Run(RunAsync);
            Volatile.Write(ref _started, 1);
            return true;
        }
    }

    /// <summary>Wakes a parked loop; exactly one caller wins the wake-up.</summary>
    private void Unpark(bool result)
    {
        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            // Only a wake-up with more to do goes to the resume thread: the loop's end, and whatever the disposer chained
            // on it, never wait for that thread to be free.
            if (result && _resumer is not null && _resumer.TryRun(static state => ((DeliveryLoop)state!).ResumeHere(), this))
            {
                return;
            }

            _core.RunContinuationsAsynchronously = true;
            _core.SetResult(result);
        }
    }

    /// <summary>On the resume thread: the loop carries on on this thread until it parks again.</summary>
    private void ResumeHere()
    {
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(true);
    }

    private async Task RunAsync()
    {
        _running.Value = this;
        while (!_stopping)
        {
            if (!_ready.TryDequeue(out var next))
            {
                _awaited = false;
                _core.Reset();
                Interlocked.Exchange(ref _parked, 1);
                if ((!_ready.IsEmpty || _stopping) && Interlocked.Exchange(ref _parked, 0) == 1)
                {
                    // Something came in as we parked, and nobody has claimed the wake-up: carry on without it.
                    continue;
                }

                await new ValueTask(this, _core.Version).ConfigureAwait(false);
                continue;
            }

            if (await RunTurnAsync(next).ConfigureAwait(false))
            {
                // Still has events: back of the queue, so one busy subscription cannot starve the others.
                _ready.Enqueue(next);
            }
        }
    }

    /// <summary>
    /// Counts and logs a handler call that threw, on the loop or inline on a transport's thread; a cancellation after
    /// the subscription was disposed is the handler obeying its token, not a failure.
    /// </summary>
    public void OnHandlerFailed(HandlerSubscription subscription, Exception exception)
    {
        if (exception is OperationCanceledException && subscription.Disposing.IsCancellationRequested)
        {
            return;
        }

        subscription.CountFailure();
        HandlerFailed(_logger, UntrustedText.Escape(subscription.Pattern), exception);
    }

    /// <summary>
    /// Logs callbacks registered on a handler's token that threw when it was cancelled: the handler's failure, reported
    /// where its other failures go, while the disposal that cancelled the token carries on.
    /// </summary>
    public void OnTokenCallbacksFailed(HandlerSubscription subscription, AggregateException exception)
        => TokenCallbackFailed(_logger, UntrustedText.Escape(subscription.Pattern), exception);

    /// <summary>Hands up to <see cref="Turn"/> events, taken in one batch, to the subscription's handler; true when it has more.</summary>
    private async ValueTask<bool> RunTurnAsync(HandlerSubscription subscription)
    {
        // An inline call that went asynchronous comes first: the queued events are newer, and they are taken only
        // after it, so the queue's bound and drop-oldest count as for a handler busy on the loop.
        if (subscription.Inline && subscription.TakePending() is { } pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As below: the failure is the handler's, counted and logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                OnHandlerFailed(subscription, ex);
            }
        }

        var taken = subscription.TakeMany(_batch, _spares, out var drained);
        try
        {
            for (var i = 0; i < taken && !subscription.Disposing.IsCancellationRequested; i++)
            {
                try
                {
                    var handled = subscription.Handler(_batch[i], subscription.Disposing);
                    if (!handled.IsCompletedSuccessfully)
                    {
                        await handled.ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // A failing handler must not stop the others on this loop; it is logged and counted.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    OnHandlerFailed(subscription, ex);
                }
            }
        }
        finally
        {
            // The deliveries point into the spare buffers and at events: let go of them until the next turn. A large
            // event's buffer is let go too, handled or not (a disposal can end the batch early).
            Array.Clear(_batch, 0, taken);
            for (var i = 0; i < taken; i++)
            {
                if (_spares[i] is { Length: > HandlerSubscription.ReusedBufferBytes })
                {
                    _spares[i] = null;
                }
            }

            if (subscription.Inline)
            {
                subscription.EndTurn();
            }
        }

        return !drained;
    }

    [LoggerMessage(301, LogLevel.Warning, "Bus handler for \"{Pattern}\" threw; the subscription carries on with the next event")]
    private static partial void HandlerFailed(ILogger logger, string pattern, Exception exception);

    [LoggerMessage(302, LogLevel.Warning, "A callback on the token of the bus handler for \"{Pattern}\" threw when the token was cancelled; the disposal carries on")]
    private static partial void TokenCallbackFailed(ILogger logger, string pattern, Exception exception);
}
