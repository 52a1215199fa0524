namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The optional uid/gid allow-lists (<c>DECNET_BUS_ALLOW_UIDS</c>, <c>DECNET_BUS_ALLOW_GIDS</c>) checked against the
/// kernel-verified SO_PEERCRED of each new connection. Both empty: anyone who can open the socket is admitted.
/// </summary>
internal sealed class PeerAllowList(IReadOnlyCollection<int> uids, IReadOnlyCollection<int> gids)
{
    private readonly HashSet<int> _uids = [.. uids];
    private readonly HashSet<int> _gids = [.. gids];

    public bool IsOpen => _uids.Count == 0 && _gids.Count == 0;

    /// <summary>True when no list is set, or the peer's uid or primary gid is listed. Unknown credentials never pass a list.</summary>
    public bool Admits(PeerCredentials peer)
        => IsOpen || (peer.Uid >= 0 && _uids.Contains(peer.Uid)) || (peer.Gid >= 0 && _gids.Contains(peer.Gid));

    public override string ToString()
        => $"uids [{string.Join(',', _uids.Order())}] gids [{string.Join(',', _gids.Order())}]";
}
