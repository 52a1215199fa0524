using System.Diagnostics;
using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;

namespace Decnet.Bus;

/// <summary>
/// The bus envelope (docs/wire-protocol.md, envelope). Field names on the wire match DECNET's Python envelope:
/// <c>v</c>, <c>id</c>, <c>topic</c>, <c>type</c>, <c>ts</c>, <c>payload</c>.
/// </summary>
/// <remarks>
/// The payload stays as the MessagePack bytes it arrived in; it is decoded (with the untrusted-data profile) only
/// when a consumer asks for it, so routing never pays for deserialization.
/// </remarks>
public sealed class BusEvent
{
    /// <summary>The envelope schema version this library writes.</summary>
    public const int CurrentVersion = 1;

    // The ticks from the Unix epoch back to year 1 and on to the end of year 9999: what PublishedAt can show.
    private static readonly long _minTicksFromEpoch = DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
    private static readonly long _maxTicksFromEpoch = DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    // The most characters of each field ToString shows: more than any valid id, type or default-limit topic has.
    private const int _shownChars = 1024;

    private readonly ReadOnlyMemory<byte> _idUtf8;
    private string? _id;

    /// <summary>Creates an envelope.</summary>
    /// <param name="topic">The topic the transport delivered the event on.</param>
    /// <param name="payload">The payload: MessagePack bytes of a map with string keys.</param>
    /// <param name="type">The discriminator; null becomes empty.</param>
    /// <param name="id">32 lowercase hex characters; null generates a fresh random id.</param>
    /// <param name="timestamp">Unix epoch seconds at publish.</param>
    /// <param name="version">Envelope schema version.</param>
    /// <param name="publisher">Kernel-verified identity of the publishing process, when the transport knows it.</param>
    public BusEvent(
        string topic,
        ReadOnlyMemory<byte> payload,
        string? type,
        string? id,
        double timestamp,
        int version = CurrentVersion,
        PeerCredentials? publisher = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        Payload = payload;
        Type = type ?? string.Empty;
        _id = id ?? EventId.NewId();
        Timestamp = timestamp;
        Version = version;
        Publisher = publisher;
    }

    /// <summary>
    /// An envelope whose id stays UTF-8 bytes until <see cref="Id"/> is read (a transport's receive path: most consumers
    /// never read it, so they never pay for the string). <paramref name="idUtf8"/> must not be empty.
    /// </summary>
    internal BusEvent(string topic, ReadOnlyMemory<byte> payload, string type, ReadOnlyMemory<byte> idUtf8, double timestamp, PeerCredentials? publisher)
    {
        Topic = topic;
        Payload = payload;
        Type = type;
        _idUtf8 = idUtf8;
        Timestamp = timestamp;
        Version = CurrentVersion;
        Publisher = publisher;
    }

    /// <summary>A copy of <paramref name="source"/> that reports losses (see <see cref="WithLosses"/>).</summary>
    private BusEvent(BusEvent source, long missedBefore, bool mayHaveMissed)
    {
        Topic = source.Topic;
        Payload = source.Payload;
        Type = source.Type;
        _id = source._id;
        _idUtf8 = source._idUtf8;
        Timestamp = source.Timestamp;
        Version = source.Version;
        Publisher = source.Publisher;
        TraceParent = source.TraceParent;
        TraceState = source.TraceState;
        MissedBefore = missedBefore;
        MayHaveMissed = mayHaveMissed;
    }

    /// <summary>Envelope schema version (<c>v</c>).</summary>
    public int Version { get; }

    /// <summary>Random 128-bit id as 32 lowercase hex characters (<c>id</c>); consumers may de-duplicate on it.</summary>
    public string Id => _id ??= Encoding.UTF8.GetString(_idUtf8.Span);

    /// <summary>The topic, set by the transport from the frame the event arrived on (<c>topic</c>).</summary>
    public string Topic { get; }

    /// <summary>Short discriminator such as <c>applied</c> (<c>type</c>); may be empty.</summary>
    public string Type { get; }

    /// <summary>Unix epoch seconds at publish (<c>ts</c>).</summary>
    public double Timestamp { get; }

    /// <summary>The payload as raw MessagePack bytes of a string-keyed map (<c>payload</c>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// Who published the event, as the broker read it from the kernel (SO_PEERCRED); null when the transport cannot
    /// know (in-process buses). A publisher cannot set this.
    /// </summary>
    public PeerCredentials? Publisher { get; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the activity the event was published in (envelope field <c>trace</c>,
    /// docs/wire-protocol.md); null when it was published outside any activity or by a client that does not trace.
    /// </summary>
    /// <remarks>Transports set it only to a valid traceparent; an invalid one from the wire is dropped, the event kept.</remarks>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that came with <see cref="TraceParent"/>; null when there was none.</summary>
    public string? TraceState { get; init; }

    /// <summary>
    /// How many events the subscription that delivered this one lost just before it, since its previous delivery:
    /// dropped from its full queue in this process, or (Unix transport) from its connection's full queue in the broker.
    /// Zero when nothing was lost. Not part of the envelope: each subscription reports its own losses.
    /// </summary>
    /// <remarks>
    /// Events are hints (docs/Service-Bus.md, "Missed events"): a consumer that sees a loss re-reads the database at
    /// once instead of waiting for its next poll. Every loss is reported exactly once, on a later event of the same
    /// subscription; it may come one event late when a drop races the read, never early.
    /// </remarks>
    public long MissedBefore { get; }

    /// <summary>
    /// True when, since the subscription's previous delivery, events may have been lost that nobody could count: the
    /// connection to the broker was lost and re-established (events published meanwhile are gone), or the subscription
    /// was returned before the broker confirmed it. A consumer should re-read the database, as for
    /// <see cref="MissedBefore"/>. Always false on in-process buses.
    /// </summary>
    public bool MayHaveMissed { get; }

    /// <summary>The publish time (<see cref="Timestamp"/>) as a <see cref="DateTimeOffset"/>.</summary>
    /// <remarks>
    /// Never throws: <c>ts</c> is any finite number on the wire (docs/wire-protocol.md), so a time before year 1 reads
    /// as <see cref="DateTimeOffset.MinValue"/> and one after year 9999 (e.g. milliseconds sent as seconds) as
    /// <see cref="DateTimeOffset.MaxValue"/>; NaN, which no decoder accepts, reads as MinValue. <see cref="Timestamp"/>
    /// keeps the value as sent.
    /// </remarks>
    public DateTimeOffset PublishedAt
    {
        get
        {
            var ticks = Timestamp * TimeSpan.TicksPerSecond;
            if (double.IsNaN(ticks))
            {
                return DateTimeOffset.MinValue;
            }

            // The conversion saturates at long's range; the clamp then keeps AddTicks within years 1 to 9999.
            return DateTimeOffset.UnixEpoch.AddTicks(Math.Clamp((long)ticks, _minTicksFromEpoch, _maxTicksFromEpoch));
        }
    }

    /// <summary>
    /// The publisher's trace context, to parent or link the consumer's own activities to
    /// (docs/dotnet-hosts.md, "Tracing"). False when the event carries none.
    /// </summary>
    public bool TryGetTraceContext(out ActivityContext context)
    {
        context = default;
        return TraceParent is not null && ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out context);
    }

    /// <summary>The trace fields as the codecs write them.</summary>
    internal TraceContext Trace => new(TraceParent, TraceState);

    /// <summary>Decodes the payload as <typeparamref name="T"/> using the untrusted-data profile.</summary>
    /// <remarks>
    /// The payload is the publisher's: each call decodes it again, and a hostile one may allocate many times its size
    /// (a 1 MiB array of empty maps becomes a million objects), bounded by the frame size (<c>DECNET_BUS_MAX_FRAME_BYTES</c>).
    /// </remarks>
    /// <exception cref="MessagePack.MessagePackSerializationException">The payload does not fit <typeparamref name="T"/>.</exception>
    public T ReadPayload<T>() => BusCodec.DeserializePayload<T>(Payload);

    /// <summary>Decodes the payload as a dictionary (nested maps become dictionaries, arrays become <c>object[]</c>).</summary>
    /// <remarks>As <see cref="ReadPayload{T}"/>: decoded on each call, with the same allocation bound.</remarks>
    /// <exception cref="MessagePack.MessagePackSerializationException">
    /// The payload does not decode as a string-keyed map, e.g. a key appears twice (the envelope decoder accepts it: it
    /// checks the payload's shape, not its keys).
    /// </exception>
    public IReadOnlyDictionary<string, object?> ReadPayloadAsDictionary() => BusCodec.DeserializePayloadAsDictionary(Payload);

    /// <summary>
    /// This event as one subscription delivers it after losses; a copy, because one instance is shared by every
    /// subscription it reaches. Only made when something was lost, so lossless delivery allocates nothing.
    /// </summary>
    internal BusEvent WithLosses(long missedBefore, bool mayHaveMissed) => new(this, missedBefore, mayHaveMissed);

    /// <summary>
    /// <c>TOPIC type=TYPE id=ID</c>, each escaped and cut at 1,024 characters (<see cref="UntrustedText.Excerpt"/>):
    /// the public constructor takes any topic, type and id an application builds, and the string reaches logs and
    /// terminals.
    /// </summary>
    public override string ToString()
        => $"{UntrustedText.Excerpt(Topic, _shownChars)} type={UntrustedText.Excerpt(Type, _shownChars)} id={UntrustedText.Excerpt(Id, _shownChars)}";
}
