using Decnet.Bus.Unix.Broker.Internal;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>Lets one warm-up run per gate: compiled code is the process's, so a second broker has nothing to gain.</summary>
internal sealed class WarmUpGate
{
    private int _started;

    /// <summary>Starts a run in the background the first time; a completed task afterwards.</summary>
    /// <returns>The run, which logs its result and never faults.</returns>
    public Task StartOnce(BrokerLimits limits, ILogger logger, CancellationToken cancellation) =>
        Interlocked.Exchange(ref _started, 1) == 0
            ? Task.Run(() => BrokerWarmUp.RunLoggedAsync(limits, logger, cancellation), CancellationToken.None)
            : Task.CompletedTask;
}
