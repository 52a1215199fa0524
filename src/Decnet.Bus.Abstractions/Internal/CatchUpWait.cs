using System.Buffers;
using System.Diagnostics;

namespace Decnet.Bus.Internal;

/// <summary>
/// Waits, once per read, for the consumers a read left above their high mark (docs/Service-Bus.md, "Catch-up waits"):
/// one bound for all of them together, extended by another bound each time it runs out while the consumer waited for
/// has moved on (<see cref="ICatchUpTarget.Progress"/> grew) during the bound that ended, up to <see cref="MaxBounds"/>
/// bounds in all. A consumer still behind when the wait ends is excused.
/// </summary>
/// <remarks>
/// The extension is for a consumer that reads, only slowly: one compiling its receive path on its first events spent
/// 50 to 72 ms on each of its first reads on a 2-core machine under load, and, excused after one bound of 100 ms, it
/// lost the events its queue could not hold (docs/performance-history-2.md, part 7). A consumer that stopped reading shows no progress and is
/// excused at the end of the bound it is judged in.
/// </remarks>
internal static class CatchUpWait
{
    /// <summary>The most bounds one wait lasts, each after the first granted only for progress.</summary>
    public const int MaxBounds = 10;

    /// <summary>The bound as options give it, within zero and the validator's maximum (options built in code skip validation).</summary>
    public static TimeSpan Clamp(TimeSpan bound)
        => bound <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(bound.TotalMilliseconds, DecnetBusOptionsValidator.MaxCatchUpWaitMs));

    /// <summary>Waits for every target in <paramref name="targets"/>, then clears the list.</summary>
    public static ValueTask WaitAsync(List<ICatchUpTarget> targets, TimeSpan bound, TimeProvider time, CancellationToken cancellation)
        => RunAsync(targets, bound, time, blocking: false, cancellation);

    /// <summary>
    /// <see cref="WaitAsync"/> on the calling thread, which it blocks: for a filler on a thread of its own (a client's
    /// receive loop). With the system clock the thread waits on the consumer's task itself, so the consumer's catching
    /// up wakes it directly: no timer per wait, and no pool thread woken first to complete a timed wrapper task.
    /// </summary>
    public static void Wait(List<ICatchUpTarget> targets, TimeSpan bound, TimeProvider time, CancellationToken cancellation)
    {
        var run = RunAsync(targets, bound, time, blocking: true, cancellation);
        Debug.Assert(run.IsCompleted, "a blocking wait never suspends");
        run.GetAwaiter().GetResult();
    }

    private static async ValueTask RunAsync(List<ICatchUpTarget> targets, TimeSpan bound, TimeProvider time, bool blocking, CancellationToken cancellation)
    {
        // Each target's progress when the current bound began: a target whose turn comes after the bound ran out (the
        // one before it was waited for the whole bound) is judged on what it did in that bound, not since its turn.
        var marks = ArrayPool<long>.Shared.Rent(targets.Count);
        try
        {
            for (var i = 0; i < targets.Count; i++)
            {
                marks[i] = targets[i].Progress;
            }

            var started = time.GetTimestamp();
            var deadline = bound;
            var most = bound * MaxBounds;
            for (var i = 0; i < targets.Count; i++)
            {
                var target = targets[i];
                if (target.CatchUpTask() is not { } task)
                {
                    continue;
                }

                while (true)
                {
                    var left = deadline - time.GetElapsedTime(started);
                    if (left > TimeSpan.Zero)
                    {
                        try
                        {
                            if (!blocking)
                            {
                                await task.WaitAsync(left, time, cancellation).ConfigureAwait(false);
                                break;
                            }

                            if (WaitBlocking(task, left, time, cancellation))
                            {
                                break;
                            }
                        }
                        catch (TimeoutException)
                        {
                        }

                        // The bound ran out. Decided now, not on a fresh look at the clock: a timer rounds to the
                        // millisecond, and a remainder below one would time out again at once.
                    }

                    if (deadline >= most || target.Progress <= marks[i])
                    {
                        target.Excuse();
                        break;
                    }

                    // Still reading: one more bound, measured from the end of the last, for this target and the ones
                    // after it.
                    deadline += bound;
                    for (var j = i; j < targets.Count; j++)
                    {
                        marks[j] = targets[j].Progress;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(marks);
            targets.Clear();
        }
    }

    /// <summary>
    /// Blocks until <paramref name="task"/> completes (true) or <paramref name="left"/> has passed (false, or a
    /// <see cref="TimeoutException"/> on a clock other than the system's, whose timers end the wait).
    /// </summary>
    private static bool WaitBlocking(Task task, TimeSpan left, TimeProvider time, CancellationToken cancellation)
    {
        if (time == TimeProvider.System)
        {
            return task.Wait(left, cancellation);
        }

        task.WaitAsync(left, time, cancellation).GetAwaiter().GetResult();
        return true;
    }
}
