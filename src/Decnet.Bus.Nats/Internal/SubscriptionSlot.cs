using Decnet.Bus.Internal;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// One subscription (enumerable or handler) of a <see cref="NatsBus"/> and the NATS subscription currently serving it. The
/// client re-sends the SUB of a registered subscription after a reconnect by itself, but forgets one whose SUB could
/// not be written (it disposes it); such a slot is left without <see cref="Current"/> and subscribed again when the
/// connection opens.
/// </summary>
internal sealed class SubscriptionSlot(string pattern, SubscriptionQueue channel, DeliveryFilter? filter)
{
    private EnvelopeSubscription? _current;
    private SubscriptionRefusal? _refusal;

    public string Pattern => pattern;

    /// <summary>The queue its consumer reads: an enumerable or a handler subscription.</summary>
    public SubscriptionQueue Channel => channel;

    public DeliveryFilter? Filter => filter;

    /// <summary>The NATS subscription registered with the client, or null while none is.</summary>
    public EnvelopeSubscription? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    /// <summary>Why the server refused this slot's SUB; null while it has not.</summary>
    public SubscriptionRefusal? Refusal => Volatile.Read(ref _refusal);

    /// <summary>Records a refusal; false when one was recorded already (the first one is reported).</summary>
    public bool TryRefuse(int code, string error)
        => Interlocked.CompareExchange(ref _refusal, new SubscriptionRefusal(code, error), null) is null;

    /// <summary>Serialises (re-)subscribing this slot.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>True once a SUB of this slot reached an open connection: later ones count as reconnects.</summary>
    public bool EverLive { get; set; }

    /// <summary>The bus's disconnect count when this slot's SUB was last sent: a higher count later means it was re-sent.</summary>
    public long Epoch { get; set; }
}

/// <summary>A SUB the server refused: the wire ERR code reported for it (docs/wire-protocol.md §6) and the server's <c>-ERR</c>.</summary>
internal sealed record SubscriptionRefusal(int Code, string Error);
