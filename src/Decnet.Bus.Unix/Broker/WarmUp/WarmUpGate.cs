using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// Lets one warm-up run per gate: compiled code is the process's, so a second broker has nothing to gain. A run its
/// broker's stop cut short opens the gate again for the next broker; a failed one does not (it would fail again).
/// </summary>
internal sealed class WarmUpGate
{
    private int _started;

    /// <summary>Starts a run in the background the first time; a completed task afterwards.</summary>
    /// <returns>The run, which logs its result and never faults.</returns>
    public Task StartOnce(ILogger logger, CancellationToken cancellation) =>
        Interlocked.Exchange(ref _started, 1) == 0
            ? Task.Run(() => RunAsync(logger, cancellation), CancellationToken.None)
            : Task.CompletedTask;

    private async Task RunAsync(ILogger logger, CancellationToken cancellation)
    {
        if (!await BrokerWarmUp.RunLoggedAsync(logger, cancellation).ConfigureAwait(false))
        {
            Volatile.Write(ref _started, 0);
        }
    }
}
