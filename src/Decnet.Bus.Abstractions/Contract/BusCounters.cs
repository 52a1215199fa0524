namespace Decnet.Bus;

/// <summary>A point-in-time snapshot of a bus instance's counters.</summary>
/// <param name="Published">Events accepted by <see cref="IBus.PublishAsync{TPayload}"/>, including ones later dropped.</param>
/// <param name="Delivered">Events placed into this instance's subscription queues.</param>
/// <param name="Dropped">Events lost: dropped from a full queue, or published while the transport was unavailable or disabled.</param>
public readonly record struct BusCounters(long Published, long Delivered, long Dropped);
