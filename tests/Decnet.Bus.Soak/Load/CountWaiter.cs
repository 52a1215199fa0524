using System.Diagnostics;

namespace Decnet.Bus.Soak.Load;

/// <summary>
/// Waits for a condition over counters to become true, bounded by a timeout. The owner calls <see cref="Poke"/> when
/// a count it knows about changes; the condition is also re-checked every <see cref="Recheck"/>, because some of the
/// counters involved (a client's <c>Dropped</c>, <c>IsConnected</c>) change without any notification.
/// </summary>
public sealed class CountWaiter
{
    /// <summary>Re-check interval for counters without a notification.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(10);

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
                var changed = Volatile.Read(ref _changed).Task;
                if (condition())
                {
                    return;
                }

                if (clock.Elapsed > bound)
                {
                    throw new TimeoutException($"not reached within {bound.TotalSeconds:0} s: {describe()}");
                }

                await Task.WhenAny(changed, Task.Delay(Recheck));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }
}
