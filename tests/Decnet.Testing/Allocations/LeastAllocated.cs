namespace Decnet.Testing;

/// <summary>
/// The bytes a piece of work allocates on the calling thread, as the least over a few runs of it: an allocation the work
/// makes each time shows in every run, while the runtime's own one-off work on the thread (tiering a method up, say) can
/// land in one run on a loaded machine (a single window once saw 1,368 such bytes in CI).
/// </summary>
internal static class LeastAllocated
{
    /// <summary>How many runs <see cref="Of"/> takes by default.</summary>
    public const int DefaultWindows = 3;

    /// <summary>Runs <paramref name="work"/> <paramref name="windows"/> times; the fewest bytes this thread allocated in one run.</summary>
    public static long Of(Action work, int windows = DefaultWindows)
    {
        var least = long.MaxValue;
        for (var window = 0; window < windows; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            work();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
