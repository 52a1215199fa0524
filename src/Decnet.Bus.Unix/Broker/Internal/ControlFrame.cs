namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One queued control frame. <see cref="After"/> is how many events had ever been queued for the connection when
/// the frame was queued, for a reply that must not overtake them (PONG, STATS: docs/wire-protocol.md, "Ordering"),
/// or 0 for a frame that may go first. <see cref="Bytes"/> is what it counts against the lane's byte bound.
/// </summary>
internal readonly record struct ControlFrame(byte[] Frame, long After, int Bytes);
