using System.Diagnostics;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// Pauses between tries of a call the kernel would otherwise block in (a lock, an open during a lease break), with a
/// backoff from 1 ms to 20 ms, until <c>bound</c> has passed: the emitter never waits without a bound.
/// </summary>
internal struct BoundedRetry(TimeSpan bound)
{
    private const int _maxPauseMs = 20;

    private readonly long _started = Stopwatch.GetTimestamp();
    private int _pauseMs = 1;

    /// <summary>Pauses and returns true, or returns false at once when the bound has passed.</summary>
    public bool Pause()
    {
        if (Stopwatch.GetElapsedTime(_started) >= bound)
        {
            return false;
        }

        Thread.Sleep(_pauseMs);
        _pauseMs = Math.Min(_pauseMs * 2, _maxPauseMs);
        return true;
    }
}
