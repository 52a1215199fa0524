namespace Decnet.Bus.Unix.Native;

/// <summary>What statx(2) reported about one path: kind, inode, permission bits (with setuid/setgid/sticky), owner.</summary>
/// <remarks>The default value (<see cref="PathKind.Missing"/>) stands for a path that does not exist.</remarks>
internal readonly record struct PathStatus(PathKind Kind, ulong Inode, uint Mode, uint Uid, uint Gid);
