using System.Net.Sockets;
using System.Threading.Channels;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>Drop-oldest on the event queue: exact counts, and LOST reports for the sids that lost events.</summary>
internal sealed partial class BrokerConnection
{
    /// <summary>
    /// Drops this connection's oldest events until <paramref name="bytes"/> are freed or none is left (the broker-wide
    /// bound is exceeded and this connection holds the most). Returns how many were dropped; they count as dropped.
    /// </summary>
    public int ShedOldest(long bytes)
    {
        var dropped = 0;
        var freed = 0L;
        lock (_gate)
        {
            while (freed < bytes && _events.Count > 0)
            {
                freed += DropOldestLocked();
                dropped++;
            }
        }

        _hub.AddQueuedBytes(-freed);
        Interlocked.Add(ref _dropped, dropped);
        return dropped;
    }

    /// <summary>Takes the oldest queued event out and releases it (a drop); returns its bytes. The caller holds <c>_gate</c>.</summary>
    private int DropOldestLocked()
    {
        var old = _events.Dequeue();
        var bytes = old.Bytes;
        _queuedBytes -= bytes;
        _eventsOut++;
        if (ReportsLost)
        {
            CountLostLocked(old);
        }

        old.Release();
        return bytes;
    }

    private void DiscardEventsLocked()
    {
        while (_events.TryDequeue(out var item))
        {
            item.Release();
        }

        _hub.AddQueuedBytes(-_queuedBytes);
        _queuedBytes = 0;
        _eventsOut = _eventsIn;
    }
}
