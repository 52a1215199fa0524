namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Holds back, while a receive loop routes one read's worth of frames, the flushes its events call for, and runs each
/// once at the end (<see cref="BrokerConnection.FlushOrWake"/>). A read carries hundreds of PUBs; waking a parked send
/// loop on the first of them would have it send a few events and park again, over and over, on another thread.
/// Thread-static: a receive loop handles a read synchronously, between two awaits, on one thread.
/// </summary>
internal static class DeferredFlushes
{
    [ThreadStatic]
    private static List<BrokerConnection>? _pending;

    [ThreadStatic]
    private static bool _active;

    /// <summary>Whether the current thread is between <see cref="Begin"/> and <see cref="FlushAll"/>.</summary>
    public static bool Active => _active;

    public static void Begin() => _active = true;

    /// <summary>Queues a connection for <see cref="FlushAll"/>; a connection asks once per wake-up.</summary>
    public static void Add(BrokerConnection connection) => (_pending ??= []).Add(connection);

    /// <summary>Ends the batch and flushes (or wakes) every connection queued during it.</summary>
    public static void FlushAll()
    {
        _active = false;
        if (_pending is not { Count: > 0 } pending)
        {
            return;
        }

        foreach (var connection in pending)
        {
            connection.FlushOrWake();
        }

        pending.Clear();
    }
}
