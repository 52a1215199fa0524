namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// Runs blocking work on a background thread of its own (a connection's receive loop, which waits in the kernel) and
/// hands its result, or its failure, to a caller that awaits it without holding a thread.
/// </summary>
internal static class OwnThread
{
    /// <summary>Starts <paramref name="body"/> on a new background thread named <paramref name="name"/> (at most 15 characters on Linux).</summary>
    public static Task<T> Start<T>(string name, Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(body());
            }
#pragma warning disable CA1031 // Handed to the awaiting caller, which sorts the failures.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.UnsafeStart();
        return done.Task;
    }
}
