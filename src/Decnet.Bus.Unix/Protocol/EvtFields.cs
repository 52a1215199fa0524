namespace Decnet.Bus.Unix.Protocol;

/// <summary>An EVT's envelope fields as views of the receive buffer (<see cref="EvtSpanDecoder.TryScan"/>).</summary>
internal readonly ref struct EvtFields(string topic, string? type, ReadOnlySpan<byte> idUtf8, bool idNil, double timestamp, PeerCredentials publisher, ReadOnlySpan<byte> payload)
{
    public string Topic { get; } = topic;

    /// <summary>Null when the wire carried nil (the event's <see cref="BusEvent.Type"/> is then empty).</summary>
    public string? Type { get; } = type;

    public ReadOnlySpan<byte> IdUtf8 { get; } = idUtf8;

    /// <summary>True when the wire carried a nil id (the event then gets a fresh one).</summary>
    public bool IdNil { get; } = idNil;

    public double Timestamp { get; } = timestamp;

    public PeerCredentials Publisher { get; } = publisher;

    public ReadOnlySpan<byte> Payload { get; } = payload;

    /// <summary>
    /// An event owning a copy of the payload and id (carved from <paramref name="slab"/> when given, else one array);
    /// the id becomes a string only when read.
    /// </summary>
    public BusEvent ToEvent(EventSlab? slab)
    {
        if (IdNil || IdUtf8.IsEmpty)
        {
            return new BusEvent(Topic, Payload.ToArray(), Type, IdNil ? null : string.Empty, Timestamp, BusEvent.CurrentVersion, Publisher);
        }

        var copy = slab is null ? new byte[IdUtf8.Length + Payload.Length] : slab.Carve(IdUtf8.Length + Payload.Length);
        IdUtf8.CopyTo(copy.Span);
        Payload.CopyTo(copy.Span[IdUtf8.Length..]);
        return new BusEvent(Topic, copy[IdUtf8.Length..], Type ?? string.Empty, copy[..IdUtf8.Length], Timestamp, Publisher);
    }
}
