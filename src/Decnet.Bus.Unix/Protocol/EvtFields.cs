namespace Decnet.Bus.Unix.Protocol;

/// <summary>An EVT's envelope fields as views of the receive buffer (<see cref="EvtSpanDecoder.TryScan"/>).</summary>
internal readonly ref struct EvtFields(ReadOnlySpan<byte> topicUtf8, string? type, ReadOnlySpan<byte> idUtf8, bool idNil, double timestamp, PeerCredentials publisher, ReadOnlySpan<byte> payload)
{
    /// <summary>
    /// The topic's bytes: the receiver makes (or finds) its string, since a literal subscription already holds it
    /// (docs/performance-history-3.md, part 13).
    /// </summary>
    public ReadOnlySpan<byte> TopicUtf8 { get; } = topicUtf8;

    /// <summary>Null when the wire carried nil (the event's <see cref="BusEvent.Type"/> is then empty).</summary>
    public string? Type { get; } = type;

    /// <summary>
    /// 32 lowercase hex characters unless <see cref="IdNil"/>: <see cref="EvtSpanDecoder.TryScan"/> declines any other.
    /// </summary>
    public ReadOnlySpan<byte> IdUtf8 { get; } = idUtf8;

    /// <summary>True when the wire carried a nil id (the event then gets a fresh one).</summary>
    public bool IdNil { get; } = idNil;

    public double Timestamp { get; } = timestamp;

    public PeerCredentials Publisher { get; } = publisher;

    public ReadOnlySpan<byte> Payload { get; } = payload;

    /// <summary>
    /// An event on <paramref name="topic"/> (the string of <see cref="TopicUtf8"/>) owning a copy of the payload and id
    /// (carved from <paramref name="slab"/> when given, else one array); the id becomes a string only when read.
    /// </summary>
    public BusEvent ToEvent(string topic, EventSlab? slab)
    {
        if (IdNil)
        {
            return new BusEvent(topic, Payload.ToArray(), Type, null, Timestamp, BusEvent.CurrentVersion, Publisher);
        }

        var copy = slab is null ? new byte[IdUtf8.Length + Payload.Length] : slab.Carve(IdUtf8.Length + Payload.Length);
        IdUtf8.CopyTo(copy.Span);
        Payload.CopyTo(copy.Span[IdUtf8.Length..]);
        return new BusEvent(topic, copy[IdUtf8.Length..], Type ?? string.Empty, copy[..IdUtf8.Length], Timestamp, Publisher);
    }
}
