namespace Decnet.Bus.Internal;

/// <summary>
/// Waits, once per read, for the consumers a read left above their high mark (docs/Service-Bus.md, "Catch-up waits"):
/// one bound for all of them together, extended by another bound each time it runs out while the consumer waited for
/// has taken something since the last one, up to <see cref="MaxExtensions"/> bounds in all. A consumer still behind
/// when the wait ends is excused.
/// </summary>
/// <remarks>
/// The extension is for a consumer that reads, only slowly: one compiling its receive path on its first events spent
/// 50 to 180 ms per read on a 2-core machine under load, and excused after one bound of 100 ms, it lost the events its
/// queue could not hold (docs/performance.md, part 7). A consumer that stopped reading shows no progress and costs
/// one bound, as before.
/// </remarks>
internal static class CatchUpWait
{
    /// <summary>The most bounds one wait lasts, each after the first granted only for progress.</summary>
    public const int MaxExtensions = 10;

    /// <summary>The bound as options give it, within zero and the validator's maximum (options built in code skip validation).</summary>
    public static TimeSpan Clamp(TimeSpan bound)
        => bound <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(bound.TotalMilliseconds, DecnetBusOptionsValidator.MaxCatchUpWaitMs));

    /// <summary>Waits for every target in <paramref name="targets"/>, then clears the list.</summary>
    public static async ValueTask WaitAsync(List<ICatchUpTarget> targets, TimeSpan bound, TimeProvider time, CancellationToken cancellation)
    {
        try
        {
            var started = time.GetTimestamp();
            var deadline = bound;
            var most = bound * MaxExtensions;
            foreach (var target in targets)
            {
                if (target.CatchUpTask() is not { } task)
                {
                    continue;
                }

                var seen = target.Progress;
                while (true)
                {
                    var left = deadline - time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        if (target.Progress == seen || deadline >= most)
                        {
                            target.Excuse();
                            break;
                        }

                        // Still reading: one more bound, measured from the end of the last.
                        seen = target.Progress;
                        deadline += bound;
                        continue;
                    }

                    try
                    {
                        await task.WaitAsync(left, time, cancellation).ConfigureAwait(false);
                        break;
                    }
                    catch (TimeoutException)
                    {
                        // Decided above, on the next turn: excused, or extended for progress.
                    }
                }
            }
        }
        finally
        {
            targets.Clear();
        }
    }
}
