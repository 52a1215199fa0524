namespace Decnet.Bus.Internal;

/// <summary>
/// Starts work that outlives its caller (a bus's connection loop, a timer) without the caller's
/// <see cref="ExecutionContext"/>: otherwise the first publisher's async-locals (a request's scope, a trace, a
/// handler's state) would ride along for the bus's lifetime and into everything the work starts.
/// </summary>
internal static class WithoutCallerContext
{
    /// <summary>Runs <paramref name="start"/> with the execution context's flow suppressed and returns what it made.</summary>
    public static T Start<T>(Func<T> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (ExecutionContext.IsFlowSuppressed())
        {
            return start(); // suppressing twice throws
        }

        using (ExecutionContext.SuppressFlow())
        {
            return start();
        }
    }
}
