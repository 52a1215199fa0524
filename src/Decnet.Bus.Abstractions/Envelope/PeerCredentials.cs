namespace Decnet.Bus;

/// <summary>A process identity as reported by the kernel for a UNIX-socket peer (SO_PEERCRED).</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Uid">Effective user id.</param>
/// <param name="Gid">Effective group id.</param>
public readonly record struct PeerCredentials(int Pid, int Uid, int Gid);
