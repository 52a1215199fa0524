namespace Decnet.Testing;

/// <summary>
/// A synchronization context whose thread is busy (a UI thread in a synchronous wait, or a test runner's worker held by
/// other tests): work posted to it waits until <see cref="Release"/>. Code that must not depend on its caller's context
/// keeps working while one of these is current.
/// </summary>
internal sealed class HeldSynchronizationContext : SynchronizationContext
{
    private readonly object _gate = new();
    private readonly List<(SendOrPostCallback Callback, object? State)> _held = [];
    private bool _released;

    /// <summary>How many callbacks were posted to this context.</summary>
    public int Posted { get; private set; }

    /// <summary>Makes a new held context current on this thread until the returned scope is disposed.</summary>
    public static Scope Install(out HeldSynchronizationContext context)
    {
        context = new HeldSynchronizationContext();
        var previous = Current;
        SetSynchronizationContext(context);
        return new Scope(previous);
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            Posted++;
            if (!_released)
            {
                _held.Add((d, state));
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Callback(s.State), (Callback: d, State: state), preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state)
        => throw new InvalidOperationException("The context's thread is busy: a synchronous send would wait for it.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// The thread is free again: runs what was posted, and from now on everything posted, on the pool.
    /// </summary>
    public void Release()
    {
        List<(SendOrPostCallback Callback, object? State)> held;
        lock (_gate)
        {
            _released = true;
            held = [.. _held];
            _held.Clear();
        }

        foreach (var (callback, state) in held)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Callback(s.State), (Callback: callback, State: state), preferLocal: false);
        }
    }

    /// <summary>Restores the context that was current before <see cref="Install"/>.</summary>
    public readonly struct Scope(SynchronizationContext? previous) : IDisposable
    {
        public void Dispose() => SetSynchronizationContext(previous);
    }
}
