namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// ERR: <c>[10, code, message]</c>, after which the broker closes the connection, or <c>[10, code, message, kind, sid]</c>
/// when it rejects one request and keeps the connection (docs/wire-protocol.md §6): <see cref="Request"/> is the kind of
/// the rejected frame (PUB or SUB) and <see cref="Sid"/> the SUB's sid (0 for a PUB).
/// </summary>
internal sealed record ErrorMessage(BusErrorCode Code, string Message, FrameKind Request = 0, uint Sid = 0)
{
    /// <summary>Whether the broker closes the connection after this ERR (every ERR that names no request).</summary>
    public bool Closes => Request == 0;
}
