namespace Decnet.Bus.Unix.Protocol;

/// <summary>ERR: <c>[10, code, message]</c>.</summary>
internal sealed record ErrorMessage(BusErrorCode Code, string Message);
