using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// What a Python (text-protocol) connection holds besides a MessagePack one: its patterns, each under a sid the broker
/// chose (the Python protocol names subscriptions by pattern, and SUB of a held pattern changes nothing, as in the
/// Python broker's pattern set), and whether its first drop and refusal were logged.
/// </summary>
internal sealed class TextSession
{
    private uint _lastSid;

    /// <summary>Patterns held, and the sid each routes under. Guarded by the connection's <see cref="SubscriptionBook"/>.</summary>
    public Dictionary<string, uint> Patterns { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The EVT frames the sender just took from the queue, to translate after releasing the queue's lock. Used by the
    /// one sender at a time (the send loop, or an inline flush while it is parked).
    /// </summary>
    public PooledBufferWriter Taken { get; } = new(64 * 1024);

    public bool UntranslatableLogged { get; set; }

    public bool RefusalLogged { get; set; }

    public uint NextSid() => ++_lastSid;
}
