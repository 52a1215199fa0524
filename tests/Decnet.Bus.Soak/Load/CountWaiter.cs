using System.Diagnostics;

namespace Decnet.Bus.Soak.Load;

/// <summary>
/// Waits for a condition over counters to become true, bounded by a timeout. The owner calls <see cref="Poke"/> when
/// a count it knows about changes; <c>alsoWakeOn</c> supplies a task for changes it is not told about (a client's
/// connection coming or going). A client's <c>Dropped</c> needs no wake-up of its own: every drop makes room for a
/// newer event, whose consumption pokes.
/// </summary>
public sealed class CountWaiter(Func<Task>? alsoWakeOn = null)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiters;

    /// <summary>Wakes waiters so they re-check (cheap when nobody waits).</summary>
    public void Poke()
    {
        if (Volatile.Read(ref _waiters) > 0)
        {
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>Completes when <paramref name="condition"/> holds.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="bound"/>; the message is <paramref name="describe"/>.</exception>
    public async Task WaitAsync(Func<bool> condition, TimeSpan bound, Func<string> describe)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                // Both wake-ups are taken before the check, so a change right after it is not missed.
                var changed = Volatile.Read(ref _changed).Task;
                var external = alsoWakeOn?.Invoke() ?? changed;
                if (condition())
                {
                    return;
                }

                var left = bound - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"not reached within {bound.TotalSeconds:0} s: {describe()}");
                }

                // The bound is a failure bound only: a wake-up, not the clock, ends each wait.
                await ((Task)Task.WhenAny(changed, external).WaitAsync(left)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }
}
