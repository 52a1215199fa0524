using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix;

// The broker's limits (WELCOME) applied to the publishes checked while no connection was up.
public sealed partial class UnixSocketBus
{
    // The WELCOME whose limits the outbox applies, and whether a drop over them was logged for its connection.
    private volatile WelcomeMessage? _overLimitWelcome;
    private int _overLimitLogged;

    /// <summary>
    /// Drops (and counts) the publishes queued while no connection was up that break <paramref name="welcome"/>'s
    /// limits, before the writer sends any: checked against this process's own limits, a frame over the broker's lower limit would make it
    /// close the connection (ERR 2), losing the events queued behind it uncounted; a topic over its limit would be
    /// refused (ERR 3) after a round trip.
    /// </summary>
    private void DropOverLimit(WelcomeMessage welcome)
    {
        var (dropped, topic) = _outbox.ApplyLimits(welcome.MaxFrame, welcome.MaxTopic);
        _overLimitWelcome = welcome;
        Volatile.Write(ref _overLimitLogged, dropped > 0 ? 1 : 0);
        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
            ClientLog.OverLimitBeforeWelcome(_logger, dropped, ShownPath, welcome.MaxFrame, welcome.MaxTopic, topic ?? string.Empty);
        }
    }

    /// <summary>
    /// A publisher that checked its event while no connection was up queued it only after <see cref="DropOverLimit"/> (the
    /// outbox dropped it, counted by the caller): logged as those are, once per connection.
    /// </summary>
    private void LogOverLimitLate(string topic)
    {
        if (_overLimitWelcome is { } welcome && Interlocked.Exchange(ref _overLimitLogged, 1) == 0)
        {
            ClientLog.OverLimitBeforeWelcome(_logger, 1, ShownPath, welcome.MaxFrame, welcome.MaxTopic, topic);
        }
    }
}
