namespace Decnet.Bench.Load.Orchestration;

/// <summary>Samples a process's RSS every 20 ms and keeps the peak (W6's broker growth).</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _peak;

    public RssSampler(int pid) => _loop = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            do
            {
                _peak = Math.Max(_peak, ProcSample.Read(pid).RssMb);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    });

    public double PeakMb => Volatile.Read(ref _peak);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
