namespace Decnet.Bus.Unix.Protocol;

/// <summary>HELLO: <c>[1, version, name, echo, queue_size, max_frame]</c>; zero sizes ask for the broker's defaults.</summary>
internal sealed record HelloMessage(int Version, string Name, bool Echo, int QueueSize, int MaxFrame);
