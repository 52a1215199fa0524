using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix;

public sealed partial class BusServer
{
    /// <summary>
    /// Raises the soft descriptor limit and clamps <see cref="BrokerLimits.MaxConnections"/> to what it can hold, with
    /// a warning; refuses to start when not even one connection fits (docs/reliability.md, "Hostile input II").
    /// </summary>
    private BrokerLimits FitDescriptorLimit(BrokerLimits limits)
    {
        if (DescriptorBudget.RaiseSoftLimit() is not { } softLimit)
        {
            return limits;
        }

        var open = DescriptorBudget.OpenNow();
        var fit = DescriptorBudget.ConnectionsThatFit(softLimit, open);
        if (fit >= limits.MaxConnections)
        {
            return limits;
        }

        if (fit < 1)
        {
            throw new BusStartupException(SocketPath, $"bus: the file-descriptor limit {softLimit} leaves no room for connections ({open} open, {DescriptorBudget.Headroom} kept free); raise LimitNOFILE (systemd) or ulimit -n.");
        }

        BrokerLog.ConnectionsClamped(_logger, limits.MaxConnections, softLimit, open, DescriptorBudget.Headroom, fit);
        return limits with { MaxConnections = fit };
    }
}
