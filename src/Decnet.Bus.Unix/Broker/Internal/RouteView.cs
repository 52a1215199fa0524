namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One topic's route as a publish reads it, over the bytes of a <see cref="RouteCache"/> or of a
/// <see cref="RouteEntry"/> being worked out: whether the topic is refused, the encoded topic part of its EVT and, per
/// destination, where that destination's EVT head is in <see cref="Data"/>. Valid until the next look-up.
/// </summary>
internal readonly ref struct RouteView(
    ReadOnlySpan<byte> data,
    ReadOnlySpan<byte> topicHead,
    ReadOnlySpan<RouteTarget> targets,
    RequestRejection? invalid,
    RequestRejection? denied)
{
    /// <summary>The bytes every target's <see cref="RouteTarget.Offset"/> points into.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;

    /// <summary>The EVT's topic part: str header, topic, publisher credentials array.</summary>
    public ReadOnlySpan<byte> TopicHead { get; } = topicHead;

    public ReadOnlySpan<RouteTarget> Targets { get; } = targets;

    /// <summary>The topic is refused before the PUB tail is looked at (empty, too long, not UTF-8, invalid).</summary>
    public RequestRejection? Invalid { get; } = invalid;

    /// <summary>
    /// The topic is valid but the ACL refuses it to this publisher (checked after the tail is validated).
    /// </summary>
    public RequestRejection? Denied { get; } = denied;

    public ReadOnlySpan<byte> SidHead(in RouteTarget target) => Data.Slice(target.Offset, target.Length);
}
