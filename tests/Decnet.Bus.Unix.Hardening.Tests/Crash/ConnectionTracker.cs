using System.Reflection;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

/// <summary>
/// Keeps a weak reference to every broker connection object a <see cref="UnixSocketBus"/> has used, so a test can
/// prove that the connections of earlier brokers were released (collected), not merely closed.
/// </summary>
internal sealed class ConnectionTracker
{
    // The live connection is private state of the client; reading it by reflection keeps the product free of test hooks.
    private static readonly FieldInfo _connection = typeof(UnixSocketBus).GetField("_connection", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("UnixSocketBus has no _connection field any more; update the tracker");

    private readonly List<WeakReference> _seen = [];

    /// <summary>How many distinct connection objects were recorded.</summary>
    public int Seen => _seen.Count;

    /// <summary>Records the client's current connection (it must be connected).</summary>
    public void Record(UnixSocketBus bus)
    {
        var current = _connection.GetValue(bus) ?? throw new InvalidOperationException("the client is not connected");
        if (!_seen.Exists(w => ReferenceEquals(w.Target, current)))
        {
            _seen.Add(new WeakReference(current));
        }
    }

    /// <summary>After a full collection (finalizers included), how many recorded connection objects are still reachable.</summary>
    public int Alive()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return _seen.Count(w => w.IsAlive);
    }
}
