using System.Buffers;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

/// <summary>
/// Follows <see cref="ArrayPool{T}.Shared"/> (for bytes) through the runtime's ArrayPool event source and knows which
/// buffers rented since it started are still out (not returned). A buffer rented per reconnect and never returned is
/// one more outstanding buffer per cycle, whatever its size; a live connection's buffers are a fixed handful.
/// </summary>
internal sealed class PoolRentTracker : EventListener
{
    /// <summary>Buffers smaller than this are per-thread scratch space (one per publishing thread), not transport buffers.</summary>
    internal const int MinTrackedBytes = 4096;

    internal const int RentedEvent = 1;
    internal const int ReturnedEvent = 3;

    private readonly int _poolId = RuntimeHelpers.GetHashCode(ArrayPool<byte>.Shared);
    private readonly Lock _gate = new();
    private readonly Dictionary<int, int> _outstanding = [];

    /// <summary>Transport-sized buffers (at least <see cref="MinTrackedBytes"/>) rented and not returned, and their bytes.</summary>
    public (int Count, long Bytes) Outstanding()
    {
        lock (_gate)
        {
            long bytes = 0;
            var count = 0;
            foreach (var size in _outstanding.Values)
            {
                bytes += size;
                count += size >= MinTrackedBytes ? 1 : 0;
            }

            return (count, bytes);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // Payload: bufferId (the array's identity hash), bufferSize, poolId, ... (ArrayPoolEventSource, stable since .NET Core 1.0).
        if (eventData.EventId is not (RentedEvent or ReturnedEvent) || eventData.Payload is not [int id, int size, int pool, ..] || pool != _poolId)
        {
            return;
        }

        lock (_gate)
        {
            if (eventData.EventId == RentedEvent)
            {
                _outstanding[id] = size;
            }
            else
            {
                // Returns of buffers rented before the tracker started are not ours to count.
                _outstanding.Remove(id);
            }
        }
    }
}
