namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// HELLO: <c>[1, version, name, echo, queue_size, max_frame]</c>, plus <c>report_lost</c> when true (a seventh
/// element, which older brokers ignore); zero sizes ask for the broker's defaults.
/// </summary>
internal sealed record HelloMessage(int Version, string Name, bool Echo, int QueueSize, int MaxFrame, bool ReportLost = false);
