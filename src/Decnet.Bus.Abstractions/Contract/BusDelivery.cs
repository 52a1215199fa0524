using System.Text;
using Decnet.Bus.Codec;

namespace Decnet.Bus;

/// <summary>
/// One event as a <see cref="BusEventHandler"/> sees it: the envelope's fields over memory the subscription lends for
/// the duration of the call. Handing it out allocates nothing; copy what must outlive the call (<see cref="ToEvent"/>).
/// </summary>
/// <remarks>
/// <see cref="Payload"/> and <see cref="IdUtf8"/> are valid until the handler returns (or, for a handler that awaits,
/// until the task it returned completes); the subscription reuses that memory for later events.
/// </remarks>
public readonly struct BusDelivery
{
    private readonly BusEvent? _source;
    private readonly ReadOnlyMemory<byte> _payload;
    private readonly ReadOnlyMemory<byte> _idUtf8;

    /// <summary>A delivery of an event the transport already holds as a <see cref="BusEvent"/>.</summary>
    internal BusDelivery(BusEvent source, long missedBefore, bool mayHaveMissed)
    {
        _source = source;
        Topic = source.Topic;
        Type = source.Type;
        Timestamp = source.Timestamp;
        Publisher = source.Publisher;
        _payload = source.Payload;
        MissedBefore = missedBefore;
        MayHaveMissed = mayHaveMissed;
    }

    /// <summary>
    /// A delivery of <paramref name="source"/> whose <see cref="Payload"/> is <paramref name="payload"/>, a lent copy
    /// (FakeBus overwrites it after the call, as the UNIX transport reuses its buffers); <see cref="ToEvent"/> still
    /// returns <paramref name="source"/>, which owns its bytes.
    /// </summary>
    internal BusDelivery(BusEvent source, ReadOnlyMemory<byte> payload, long missedBefore, bool mayHaveMissed)
        : this(source, missedBefore, mayHaveMissed)
    {
        _payload = payload;
    }

    /// <summary>A delivery over borrowed bytes (the id as UTF-8, turned into a string only if asked for).</summary>
    internal BusDelivery(string topic, string type, ReadOnlyMemory<byte> idUtf8, double timestamp, PeerCredentials? publisher, ReadOnlyMemory<byte> payload, long missedBefore, bool mayHaveMissed)
    {
        Topic = topic;
        Type = type;
        _idUtf8 = idUtf8;
        Timestamp = timestamp;
        Publisher = publisher;
        _payload = payload;
        MissedBefore = missedBefore;
        MayHaveMissed = mayHaveMissed;
    }

    /// <summary>The topic the event was delivered on (<see cref="BusEvent.Topic"/>).</summary>
    public string Topic { get; }

    /// <summary>The discriminator (<see cref="BusEvent.Type"/>); may be empty.</summary>
    public string Type { get; }

    /// <summary>Unix epoch seconds at publish (<see cref="BusEvent.Timestamp"/>).</summary>
    public double Timestamp { get; }

    /// <summary>The publishing process as the broker read it from the kernel; null when the transport cannot know.</summary>
    public PeerCredentials? Publisher { get; }

    /// <summary>The payload as raw MessagePack bytes of a string-keyed map; borrowed for the duration of the call.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>The event id as UTF-8 bytes, without allocating (empty when the transport holds it as a string only).</summary>
    public ReadOnlySpan<byte> IdUtf8 => _idUtf8.Span;

    /// <summary>The event id (<see cref="BusEvent.Id"/>); creates a string on every call unless the transport had one.</summary>
    public string Id => _source?.Id ?? Encoding.UTF8.GetString(_idUtf8.Span);

    /// <summary>Events this subscription lost just before this one (<see cref="BusEvent.MissedBefore"/>).</summary>
    public long MissedBefore { get; }

    /// <summary>Events may have been lost uncounted before this one (<see cref="BusEvent.MayHaveMissed"/>).</summary>
    public bool MayHaveMissed { get; }

    /// <summary>Decodes the payload as <typeparamref name="T"/> using the untrusted-data profile.</summary>
    /// <exception cref="MessagePack.MessagePackSerializationException">The payload does not fit <typeparamref name="T"/>.</exception>
    public T ReadPayload<T>() => BusCodec.DeserializePayload<T>(_payload);

    /// <summary>A <see cref="BusEvent"/> that owns a copy of this delivery, for keeping it after the handler returns.</summary>
    public BusEvent ToEvent()
    {
        var evt = _source ?? new BusEvent(Topic, _payload.ToArray(), Type, Id, Timestamp, BusEvent.CurrentVersion, Publisher);
        return MissedBefore == 0 && !MayHaveMissed ? evt : evt.WithLosses(MissedBefore, MayHaveMissed);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Topic} type={Type}";
}
