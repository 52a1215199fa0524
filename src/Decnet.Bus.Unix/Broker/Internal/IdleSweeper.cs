using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The broker's idle probe, for every connection at once (docs/reliability.md, "idle"): a timer ticking twelve times
/// per idle timeout walks the connections, PINGs those quiet for half of it and cuts those that then stay quiet for the
/// other half. One timer for the broker replaces one per connection, re-armed by every read: the probes of many idle
/// clients go out together from one thread, and their PONGs come back together, instead of each costing a chain of
/// thread wake-ups of its own (docs/performance-history-2.md, part 10). A deadline is therefore met up to one tick
/// late.
/// </summary>
internal sealed class IdleSweeper : IAsyncDisposable
{
    private const int _ticksPerIdleTimeout = 12;

    private readonly BrokerHub _hub;
    private readonly TimeProvider _time;
    private readonly long _probeAfter;
    private readonly long _answerWithin;
    private readonly PooledBufferWriter _flush = new(256);
    private readonly ITimer _timer;
    private int _sweeping;

    private IdleSweeper(BrokerHub hub, TimeProvider time, TimeSpan idleTimeout)
    {
        _hub = hub;
        _time = time;
        var half = idleTimeout / 2;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, idleTimeout.Ticks / _ticksPerIdleTimeout));
        _probeAfter = TimestampSpan.Of(half, time);

        // Half a tick of slack: the tick that ends the answer time may run a little later than the one that sent the
        // PING did, and without it the cut would slip one whole tick further.
        _answerWithin = TimestampSpan.Of(idleTimeout - half - (period / 2), time);
        _timer = time.CreateTimer(static state => ((IdleSweeper)state!).Sweep(), this, period, period);
    }

    /// <summary>Starts the sweep, or returns null when the idle timeout is off.</summary>
    public static IdleSweeper? Start(BrokerHub hub, TimeProvider time)
        => hub.Limits.IdleTimeout == Timeout.InfiniteTimeSpan ? null : new IdleSweeper(hub, time, hub.Limits.IdleTimeout);

    /// <summary>One pass over the connections. A tick that finds the previous pass still running skips.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            foreach (var connection in _hub.Connections)
            {
                connection.CheckIdle(now, _probeAfter, _answerWithin, _flush);
            }

            // Probes are rare: the sweep holds no send memory between them.
            _flush.Release();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>
    /// Stops the sweep; completes once a pass under way has finished. The flush buffer needs no disposal: every pass
    /// gives it back.
    /// </summary>
    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
