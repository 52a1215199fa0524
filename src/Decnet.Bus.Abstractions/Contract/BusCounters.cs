namespace Decnet.Bus;

/// <summary>A point-in-time snapshot of a bus instance's counters.</summary>
/// <param name="Published">Events accepted by <see cref="IBus.PublishAsync{TPayload}"/>, including ones later dropped.</param>
/// <param name="Delivered">Events placed into this instance's subscription queues.</param>
/// <param name="Dropped">
/// Events lost: dropped from a full queue, published while the transport was unavailable or disabled, refused by the
/// broker or server, or (Unix transport) received in a frame the client dropped as malformed.
/// </param>
public readonly record struct BusCounters(long Published, long Delivered, long Dropped);
