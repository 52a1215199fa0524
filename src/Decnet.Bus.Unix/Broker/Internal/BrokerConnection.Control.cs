using System.Net.Sockets;
using System.Threading.Channels;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>The control lane: replies and barriers queued ahead of events, bounded by count and bytes (docs/wire-protocol.md §6).</summary>
internal sealed partial class BrokerConnection
{
    private void EnqueueControl(byte[] frame, bool barrier = false)
    {
        lock (_gate)
        {
            EnqueueControlLocked(frame, barrier);
        }

        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>
    /// Queues a control frame; the caller holds <c>_gate</c> and rings the doorbell after releasing it. A
    /// <paramref name="barrier"/> frame (PONG, STATS reply) leaves after every event queued before it. A STATS
    /// snapshot is not <paramref name="charged"/>: one per connection at most is queued (see <see cref="EnqueueStatsReply"/>).
    /// </summary>
    private void EnqueueControlLocked(byte[] frame, bool barrier, bool charged = true)
    {
        if (_closing)
        {
            return;
        }

        var bytes = charged ? frame.Length : 0;
        var limits = _hub.Limits;
        if (_control.Count >= limits.MaxControlBacklog || _controlBytes + bytes > limits.MaxControlBytes)
        {
            throw new ProtocolException(BusErrorCode.SlowConsumer, $"more than {limits.MaxControlBacklog} control frames or {limits.MaxControlBytes / 1024} KiB of them not yet written");
        }

        _control.Enqueue(new ControlFrame(frame, barrier ? _eventsIn : 0, bytes));
        _controlBytes += bytes;
    }

    /// <summary>
    /// Queues a STATS reply. While an earlier one is still unwritten, the new one is that same snapshot (one STATS in
    /// flight per connection), so a client that asks and never reads pins one snapshot, not one per request.
    /// </summary>
    private void EnqueueStatsReply()
    {
        // Only this connection's receive loop queues STATS replies, so the snapshot in flight cannot appear meanwhile;
        // the (rare) rebuild runs outside the lock.
        byte[]? shared;
        lock (_gate)
        {
            shared = _statsInFlight;
        }

        var frame = shared ?? _hub.StatsReply();
        lock (_gate)
        {
            EnqueueControlLocked(frame, barrier: true, charged: false);
            _statsInFlight = frame;
            _statsQueued++;
        }

        _doorbell.Writer.TryWrite(true);
    }
}
