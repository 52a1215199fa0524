using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>A client subscription: its wire id, pattern and the queue its consumer (enumerator or handler) reads.</summary>
internal sealed class ClientSubscription(uint sid, string pattern, SubscriptionQueue queue)
{
    private int _everAcked;

    public uint Sid { get; } = sid;

    public string Pattern { get; } = pattern;

    public SubscriptionQueue Queue { get; } = queue;

    /// <summary>Set when the broker refused this subscription; it is then no longer kept or re-sent.</summary>
    public BusSubscriptionRejectedException? Rejection { get; set; }

    /// <summary>Called on SUBACK: from the second connection on, records a reconnect on the queue.</summary>
    public void Acknowledged()
    {
        if (Interlocked.Exchange(ref _everAcked, 1) != 0)
        {
            Queue.MarkReconnected();
        }
    }
}
