namespace Decnet.Bus.Internal;

/// <summary>
/// A thread of a bus's own on which a parked consumer resumes while the thread is free: the filler hands it one
/// completion at a time (<see cref="TryRun"/>) and, when it is busy, completes on the thread pool as before. Between
/// completions it spins briefly and then blocks, where an idle thread-pool worker spins for far longer: at sparse
/// traffic that spinning was about half a subscriber's CPU (docs/performance-history-5.md, part 24).
/// </summary>
internal sealed class ResumeThread : IDisposable
{
    // SpinWait turns the thread waits for the next completion before it blocks: half spins, half yields. Without them,
    // a flood's consumer, which parks and is woken again within microseconds, ran 20 % slower (part 24); 60 measured
    // the same as 20.
    private const int _spinTurns = 20;

    // The slot's states: an offer moves idle → claimed → assigned; the thread runs assigned work and moves the slot back
    // to idle once it returns, and only the thread retires an idle slot (idle → stopped), so an offer that claimed it
    // first always runs.
    private const int _idle = 0;
    private const int _claimed = 1;
    private const int _assigned = 2;
    private const int _stopped = 3;

    private readonly ManualResetEventSlim _wake = new(false, 0);
    private readonly Thread _thread;
    private Action<object?>? _work;
    private object? _state;
    private int _status;

    // Set while the thread blocks (or is about to): only then does an offer pay for the event's wake-up.
    private int _sleeping;
    private volatile bool _stopping;

    /// <summary>Starts the thread (a background thread named <paramref name="name"/>).</summary>
    public ResumeThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.UnsafeStart();
    }

    /// <summary>Whether the thread is free: no work claimed, handed over or running (for tests).</summary>
    internal bool IsIdle => Volatile.Read(ref _status) == _idle;

    /// <summary>Whether the thread is blocked waiting for work (for tests of the wake-up).</summary>
    internal bool IsSleeping => Volatile.Read(ref _sleeping) != 0 && Volatile.Read(ref _status) == _idle;

    /// <summary>
    /// Runs <paramref name="work"/> on this thread if it is free; false, and nothing runs, when it is busy or stopped.
    /// Work it accepts always runs, even when <see cref="Dispose"/> races the offer. The work must not throw: as on the
    /// thread pool, an exception it lets escape ends the process.
    /// </summary>
    public bool TryRun(Action<object?> work, object? state)
    {
        if (_stopping || Interlocked.CompareExchange(ref _status, _claimed, _idle) != _idle)
        {
            return false;
        }

        _work = work;
        _state = state;

        // A full fence (the exchange) before reading _sleeping, matched by the thread's before it re-reads the status.
        Interlocked.Exchange(ref _status, _assigned);
        if (Volatile.Read(ref _sleeping) != 0)
        {
            _wake.Set();
        }

        return true;
    }

    /// <summary>Waits up to <paramref name="bound"/> for the thread to end after <see cref="Dispose"/> (for tests).</summary>
    internal bool WaitForExit(TimeSpan bound) => _thread.Join(bound);

    /// <summary>Stops the thread once the work it runs or was handed (if any) returns; never waits for it.</summary>
    public void Dispose()
    {
        _stopping = true;
        Interlocked.MemoryBarrier();
        _wake.Set();
    }

    private void Run()
    {
        // What a completion leaves behind (an AsyncLocal set outside an async method, a synchronization context) must
        // not reach the next consumer's: the thread pool resets both after each work item, and so does this thread.
        // Started without a captured context and with flow not suppressed, the thread's context is the default one.
        var baseline = ExecutionContext.Capture() ?? throw new InvalidOperationException("Execution context flow is suppressed.");
        while (AwaitWork())
        {
            var work = _work!;
            var state = _state;
            _work = null;
            _state = null;
            work(state);
            if (ExecutionContext.Capture() != baseline)
            {
                ExecutionContext.Restore(baseline);
            }

            if (SynchronizationContext.Current is not null)
            {
                SynchronizationContext.SetSynchronizationContext(null);
            }

            Volatile.Write(ref _status, _idle);
        }
    }

    /// <summary>Spins, then blocks, until a completion is assigned (true) or the thread stops (false).</summary>
    private bool AwaitWork()
    {
        var spin = default(SpinWait);
        for (var i = 0; i < _spinTurns; i++)
        {
            if (Volatile.Read(ref _status) == _assigned)
            {
                return true;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        while (true)
        {
            if (Volatile.Read(ref _status) == _assigned)
            {
                return true;
            }

            if (_stopping)
            {
                // Only the thread retires the slot, and only an idle one: an offer that claimed it before the stop is
                // about to assign its work, which must still run (its consumer is off every list that could end it).
                if (Interlocked.CompareExchange(ref _status, _stopped, _idle) == _idle)
                {
                    return false;
                }

                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            _wake.Reset();
            Interlocked.Exchange(ref _sleeping, 1);
            if (Volatile.Read(ref _status) != _assigned && !_stopping)
            {
                _wake.Wait();
            }

            Volatile.Write(ref _sleeping, 0);
        }
    }
}
