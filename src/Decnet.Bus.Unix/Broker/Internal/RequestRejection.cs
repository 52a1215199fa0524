using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Why the broker refused one PUB or SUB that was well-formed: answered with an ERR naming the request, and the
/// connection stays (docs/wire-protocol.md §6). Returned rather than thrown, so a flood of refused requests costs no
/// exceptions.
/// </summary>
internal readonly record struct RequestRejection(BusErrorCode Code, string Message);
