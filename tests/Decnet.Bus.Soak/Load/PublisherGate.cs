namespace Decnet.Bus.Soak.Load;

/// <summary>
/// Pauses every publisher loop and reports when all of them are parked (none is inside <c>PublishAsync</c>), so a
/// STATS barrier after that sees each publisher's final count.
/// </summary>
public sealed class PublisherGate(int publishers)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _resume = Completed();
    private TaskCompletionSource _allParked = Completed();
    private volatile bool _paused;
    private int _parked;

    /// <summary>True while publishers should park.</summary>
    public bool IsPaused => _paused;

    /// <summary>Called by a publisher loop that saw <see cref="IsPaused"/>: parks until <see cref="Resume"/>.</summary>
    public async Task ParkAsync(CancellationToken cancellationToken)
    {
        Task resume;
        lock (_gate)
        {
            if (!_paused)
            {
                return;
            }

            if (++_parked == publishers)
            {
                _allParked.TrySetResult();
            }

            resume = _resume.Task;
        }

        await resume.WaitAsync(cancellationToken);
    }

    /// <summary>Asks every publisher to park and waits until all have.</summary>
    public Task PauseAsync(TimeSpan bound)
    {
        lock (_gate)
        {
            if (!_paused)
            {
                _paused = true;
                _parked = 0;
                _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _allParked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return _allParked.Task.WaitAsync(bound);
        }
    }

    /// <summary>Lets the publishers go on.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
            _resume.TrySetResult();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}
