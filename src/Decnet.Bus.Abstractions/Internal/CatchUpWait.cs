namespace Decnet.Bus.Internal;

/// <summary>
/// Waits, once per read and for at most one bound in all, for the consumers a read left above their high mark
/// (docs/Service-Bus.md, "Catch-up waits"). A consumer still behind when the bound runs out is excused.
/// </summary>
internal static class CatchUpWait
{
    /// <summary>The bound as options give it, within zero and the validator's maximum (options built in code skip validation).</summary>
    public static TimeSpan Clamp(TimeSpan bound)
        => bound <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(bound.TotalMilliseconds, DecnetBusOptionsValidator.MaxCatchUpWaitMs));

    /// <summary>Waits for every target in <paramref name="targets"/>, then clears the list.</summary>
    public static async ValueTask WaitAsync(List<ICatchUpTarget> targets, TimeSpan bound, TimeProvider time, CancellationToken cancellation)
    {
        try
        {
            var started = time.GetTimestamp();
            foreach (var target in targets)
            {
                if (target.CatchUpTask() is not { } task)
                {
                    continue;
                }

                var left = bound - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    target.Excuse();
                    continue;
                }

                try
                {
                    await task.WaitAsync(left, time, cancellation).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    target.Excuse();
                }
            }
        }
        finally
        {
            targets.Clear();
        }
    }
}
