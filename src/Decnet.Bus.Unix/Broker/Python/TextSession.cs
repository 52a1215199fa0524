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
    private bool _wrapped;

    /// <param name="lastSid">The sid to count on from; tests start near the wrap.</param>
    public TextSession(uint lastSid = 0) => _lastSid = lastSid;

    /// <summary>Patterns held, and the sid each routes under. Guarded by the connection's <see cref="SubscriptionBook"/>.</summary>
    public Dictionary<string, uint> Patterns { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The EVT frames the sender just took from the queue, to translate after releasing the queue's lock. Used by the
    /// one sender at a time (the send loop, or an inline flush while it is parked).
    /// </summary>
    public PooledBufferWriter Taken { get; } = new(64 * 1024);

    public bool UntranslatableLogged { get; set; }

    public bool RefusalLogged { get; set; }

    /// <summary>
    /// A sid no pattern of this session holds. Until the counter wraps (2^32 SUBs on one connection) every sid is new;
    /// after, one still held from an earlier lap is skipped, or two patterns would route under one sid.
    /// Called under the connection's <see cref="SubscriptionBook"/> lock, as <see cref="Patterns"/> is guarded.
    /// </summary>
    public uint NextSid()
    {
        if (++_lastSid == 0)
        {
            _wrapped = true;
        }

        if (!_wrapped)
        {
            return _lastSid;
        }

        // Rare (after 2^32 SUBs), so one set per call; the patterns held bound the skips.
        var held = new HashSet<uint>(Patterns.Values);
        while (held.Contains(_lastSid))
        {
            _lastSid++;
        }

        return _lastSid;
    }
}
